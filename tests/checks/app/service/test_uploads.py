"""Uploads: suffixes, the streamed size limit, and zip archives unpacked safely (each refusal built on purpose)."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from redline.checks.app.service.uploads import (
    ArchiveLimits,
    UploadError,
    UploadTooLargeError,
    extract_archive,
    find_dataset,
    save_upload,
    upload_suffix,
)


def make_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compress=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compress) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def set_encrypted_flag(path: Path) -> None:
    """Set bit 0 (encrypted) of every entry's flags, in the local and central headers."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            data[i + offset] |= 0x01
            start = i + 4
    path.write_bytes(bytes(data))


def everything_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_upload_suffix_keeps_only_a_known_suffix():
    assert upload_suffix("地块 2024.GeoJSON") == ".geojson"
    assert upload_suffix("../../etc/passwd.csv") == ".csv"
    assert upload_suffix("C:\\Users\\me\\sites.ZIP") == ".zip"
    with pytest.raises(UploadError, match=r"unknown file type '\.exe'"):
        upload_suffix("sites.exe")
    with pytest.raises(UploadError, match="no suffix"):
        upload_suffix("sites")
    with pytest.raises(UploadError, match=r"zip them together"):
        upload_suffix("sites.shp")


def test_save_upload_stops_at_the_limit_and_removes_the_partial_file(tmp_path):
    target = tmp_path / "upload.csv"
    assert save_upload(io.BytesIO(b"x" * 1000), target, 1000) == 1000
    assert target.stat().st_size == 1000
    big = tmp_path / "big.csv"
    with pytest.raises(UploadTooLargeError, match="larger than the limit"):
        save_upload(io.BytesIO(b"x" * 3_000_000), big, 2_500_000)
    assert not big.exists()


def test_a_good_archive_unpacks_and_its_shapefile_is_picked(tmp_path):
    archive = make_zip(
        tmp_path / "a.zip",
        [
            ("sites/地块.shp", b"shp"),
            ("sites/地块.shx", b"shx"),
            ("sites/地块.DBF", b"dbf"),
            ("sites/地块.prj", b"prj"),
            ("__MACOSX/sites/._地块.shp", b"junk"),
            ("readme.txt", b"hello"),
        ],
    )
    dest = tmp_path / "out"
    files = extract_archive(archive, dest)
    assert len(files) == 6
    assert find_dataset(files, dest) == (dest / "sites" / "地块.shp").resolve()


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../../evil.txt", r"climbs out of the archive"),
        ("a/../../evil.txt", r"climbs out of the archive"),
        ("/tmp/evil_abs.txt", r"is an absolute path"),
        ("C:/evil.txt", r"starts with a drive letter"),
        ("a\\..\\..\\evil.txt", r"uses '\\' in its path"),
    ],
)
def test_paths_out_of_the_folder_are_refused_before_anything_is_written(tmp_path, entry, reason):
    archive = make_zip(tmp_path / "a.zip", [("ok.csv", b"lon,lat\n109.4,22.5\n"), (entry, b"pwned")])
    dest = tmp_path / "job" / "unpacked"
    dest.parent.mkdir()
    with pytest.raises(UploadError, match=reason):
        extract_archive(archive, dest)
    assert not dest.exists()
    assert everything_under(tmp_path) == {"a.zip", "job"}
    assert not Path("/tmp/evil_abs.txt").exists()


def test_symlinks_are_refused(tmp_path):
    link = zipfile.ZipInfo("sites.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    link.create_system = 3
    archive = make_zip(tmp_path / "a.zip", [(link, b"/etc/passwd")])
    with pytest.raises(UploadError, match=r"'sites.csv' is a symbolic link"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_encrypted_entries_are_refused(tmp_path):
    archive = make_zip(tmp_path / "a.zip", [("sites.csv", b"lon,lat\n109.4,22.5\n")])
    set_encrypted_flag(archive)
    with pytest.raises(UploadError, match=r"'sites.csv' is encrypted"):
        extract_archive(archive, tmp_path / "out")


def test_too_many_files_are_refused(tmp_path):
    archive = make_zip(tmp_path / "a.zip", [(f"f{i}.txt", b"") for i in range(1001)], compress=zipfile.ZIP_STORED)
    with pytest.raises(UploadError, match=r"1,001 entries, more than 1,000"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    # 20 MiB of zeros deflate to about 20 KiB: a ratio near 1000, over the 16 MiB floor
    archive = make_zip(tmp_path / "bomb.zip", [("sites.csv", b"\0" * (20 * 1024**2))])
    assert archive.stat().st_size < 100_000
    with pytest.raises(UploadError, match=r"zip bomb"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_too_much_unpacked_data_is_refused_by_the_declared_sizes(tmp_path):
    archive = make_zip(tmp_path / "a.zip", [("a.csv", b"1" * 5000), ("b.csv", b"2" * 5000)])
    with pytest.raises(UploadError, match=r"unpacks to 10,000 bytes, more than 8,000 bytes"):
        extract_archive(archive, tmp_path / "out", ArchiveLimits(max_bytes=8000))


def test_bytes_are_counted_while_unpacking(tmp_path, monkeypatch):
    """An entry declaring fewer bytes than it holds is stopped by the count, not trusted."""
    archive = make_zip(tmp_path / "a.zip", [("a.csv", b"1" * 200_000)])
    real = zipfile.ZipFile.infolist

    def lying(self):
        infos = real(self)
        for info in infos:
            info.file_size = 1000  # the header lies; zipfile itself would read 1000 bytes and fail the CRC
        return infos

    monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
    with pytest.raises(UploadError, match=r"'a.csv'"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_not_a_zip_is_a_clear_error(tmp_path):
    bogus = tmp_path / "a.zip"
    bogus.write_bytes(b"this is not a zip")
    with pytest.raises(UploadError, match="not a readable zip archive"):
        extract_archive(bogus, tmp_path / "out")


def test_dataset_choice(tmp_path):
    dest = tmp_path / "out"
    files = extract_archive(
        make_zip(tmp_path / "a.zip", [("one.geojson", b"{}"), ("two/two.csv", b"lon,lat"), ("x.txt", b"")]), dest
    )
    with pytest.raises(UploadError, match=r"2 datasets \(one.geojson, two/two.csv\); upload one, or name it in member"):
        find_dataset(files, dest)
    assert find_dataset(files, dest, "two/two.csv") == (dest / "two" / "two.csv").resolve()
    with pytest.raises(UploadError, match=r"member 'three.csv' is not a dataset") as err:
        find_dataset(files, dest, "three.csv")
    assert err.value.field == "member"

    dest2 = tmp_path / "out2"
    files2 = extract_archive(make_zip(tmp_path / "b.zip", [("notes.txt", b""), ("a.shp", b"")]), dest2)
    with pytest.raises(UploadError, match=r"shapefile 'a.shp' in the archive has no .shx or .dbf"):
        find_dataset(files2, dest2)
    dest3 = tmp_path / "out3"
    files3 = extract_archive(make_zip(tmp_path / "c.zip", [("notes.txt", b"")]), dest3)
    with pytest.raises(UploadError, match=r"holds no dataset"):
        find_dataset(files3, dest3)
