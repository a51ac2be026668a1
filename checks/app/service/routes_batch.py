"""``/api/batch`` and ``/api/jobs/...``: upload a file of sites, follow its job, fetch its outputs."""

from __future__ import annotations

import shutil
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse

from redline.checks import options
from redline.checks.app.service.errors import RESPONSES, ApiError
from redline.checks.app.service.jobs import BatchOptions, Job
from redline.checks.app.service.models import JobAccepted, JobStatus
from redline.checks.app.service.state import MEDIA_TYPES, Service, service
from redline.checks.app.service.uploads import UploadError, extract_archive, find_dataset, save_upload, upload_suffix
from redline.zones.errors import RedlineError, param_ref

__all__ = ["batch_options", "job_status", "router"]

router = APIRouter()


def batch_options(form: dict[str, str | None], default_lang: str) -> BatchOptions:
    """Check the batch form fields with the run's own checks; blank fields are not given (NaN is no buffer).

    Raises
    ------
    RedlineError
        Naming the first bad field (``param``).

    Examples
    --------
    >>> batch_options({"buffer": "500", "formats": "csv", "tags": "heavy_metal; water_supply"}, "en").tags
    ['heavy_metal', 'water_supply']
    """
    given = {name: value.strip() for name, value in form.items() if value is not None and value.strip()}
    if "buffer" in given:
        given["buffer_m"] = given.pop("buffer")
        if given["buffer_m"].lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise RedlineError(
                f"{param_ref('buffer_m')}: {given['buffer_m'][:20]!r} is not a number of metres (e.g. 1000)",
                param="buffer_m",
                value=given["buffer_m"],
                zh=f"{param_ref('buffer_m')}：{given['buffer_m'][:20]!r} 不是以米计的数（如 1000）",
            )
    return BatchOptions(tags=options.split_tags(given.pop("tags", "")), lang=given.pop("lang", default_lang), **given)


def job_status(job: Job) -> dict:
    """Return the ``/api/jobs/{id}`` payload of a job."""
    base = f"/api/jobs/{job.job_id}"
    return {
        "job_id": job.job_id,
        "status": job.status,
        "stage": job.stage,
        "progress": {"done": job.done, "total": job.total},
        "counts": job.counts if job.status == "done" else None,
        "error": job.error,
        "files": {name: f"{base}/files/{name}" for name in job.files} if job.status == "done" else {},
        "created": job.created,
        "finished": job.finished,
    }


def _receive(svc: Service, file: UploadFile, member: str | None, options_: BatchOptions, client: str) -> Job:
    """Save the upload (unpacking an archive) into a new job's folder and queue the job."""
    suffix = upload_suffix(file.filename)
    job_id, folder = svc.jobs.new_folder()
    try:
        upload = folder / "input" / f"upload{suffix}"
        size = save_upload(file.file, upload, svc.max_upload_bytes)
        if size == 0:
            raise UploadError("file: the upload is empty")
        dataset, source = upload, f"upload{suffix}"
        if suffix == ".zip":
            unpacked = folder / "input" / "unpacked"
            dataset = find_dataset(extract_archive(upload, unpacked, svc.archive_limits), unpacked, member)
            source = f"upload.zip: {dataset.relative_to(unpacked.resolve()).as_posix()}"
            upload.unlink()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = svc.jobs.submit(
        Job(job_id=job_id, folder=folder, dataset=dataset, source=source, options=options_, client=client)
    )
    svc.jobs.start()
    return job


@router.post(
    "/batch",
    status_code=202,
    response_model=JobAccepted,
    responses={code: RESPONSES[code] for code in (400, 413, 422, 429)},
    summary="Screen a file of sites / 批量筛查",
    tags=["batch"],
)
def post_batch(
    http: Request,
    svc: Annotated[Service, Depends(service)],
    file: Annotated[UploadFile, File(description="zipped shapefile, .gpkg, .geojson/.json, .csv, .xlsx or .fgb")],
    id_field: Annotated[str, Form()] = "",
    name_field: Annotated[str, Form()] = "",
    industry_field: Annotated[str, Form()] = "",
    tags_field: Annotated[str, Form()] = "",
    action_field: Annotated[str, Form()] = "",
    industry: Annotated[str, Form(description="default industry for rows without one")] = "",
    tags: Annotated[str, Form(description="default tags, ';'-separated")] = "",
    action: Annotated[str, Form(description="default action: new, expand or rebuild")] = "",
    buffer: Annotated[str, Form(description="metres (default 1000)")] = "",
    crs: Annotated[str, Form(description="CRS of the coordinates when the file has none")] = "",
    encoding: Annotated[str, Form(description="text encoding of a DBF or CSV (default: detected)")] = "",
    lang: Annotated[str, Form(description="zh or en")] = "",
    formats: Annotated[str, Form(description="csv,gpkg,html,map,docx,xlsx or all (default)")] = "",
    layer: Annotated[str, Form(description="layer of a multi-layer file (GeoPackage)")] = "",
    member: Annotated[str, Form(description="the dataset's path in a zip holding several")] = "",
    on_invalid: Annotated[str, Form(description="raise (default), warn or fix")] = "",
    nearby: Annotated[str, Form(description="nearest (default) or all")] = "",
):
    """Upload a file of sites; it is screened in the background (poll ``links.self``).

    Same options as ``redline batch``.  Archives are checked before unpacking (no paths out of
    the folder, no links, no encrypted entries, at most 1000 files, 1 GiB, 100× compression).
    """
    form = dict(
        id_field=id_field,
        name_field=name_field,
        industry_field=industry_field,
        tags_field=tags_field,
        action_field=action_field,
        industry=industry,
        tags=tags,
        action=action,
        buffer=buffer,
        crs=crs,
        encoding=encoding,
        lang=lang,
        formats=formats,
        on_invalid=on_invalid,
        nearby=nearby,
        layer=layer,
    )
    client = getattr(http.state, "client", None)
    job = _receive(svc, file, member or None, batch_options(form, svc.lang), client.label if client else "unknown")
    return {"job_id": job.job_id, "status": job.status, "links": {"self": f"/api/jobs/{job.job_id}"}}


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses={404: RESPONSES[404]},
    summary="A batch job's state / 任务状态",
    tags=["batch"],
)
def get_job(job_id: str, svc: Annotated[Service, Depends(service)]):
    """Status, progress (sites screened of total), verdict counts and output files of a job."""
    job = svc.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "job_id", f"job {job_id[:40]!r} is unknown")
    return job_status(job)


@router.get(
    "/jobs/{job_id}/files/{name}",
    response_class=FileResponse,
    responses={200: {"description": "the file"}, 404: RESPONSES[404]},
    summary="A job's output file / 任务结果文件",
    tags=["batch"],
)
def get_job_file(job_id: str, name: str, svc: Annotated[Service, Depends(service)]):
    """One output of a finished job: sites.csv, findings.csv, results.gpkg, report.html, ... (as listed)."""
    job = svc.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "job_id", f"job {job_id[:40]!r} is unknown")
    path = svc.jobs.file(job, name) if job.status == "done" else None
    if path is None:
        listed = ", ".join(job.files) or "none yet"
        raise ApiError(404, "name", f"job {job_id} has no file {name[:80]!r}; its files: {listed}")
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"), filename=path.name)
