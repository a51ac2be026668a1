(function () {
  "use strict";
  var D = RC_DATA;
  var map = window[D.map];
  var S = D.strings;
  var A = 6378245.0, EE = 0.00669342162296594323;

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"'`]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"}[c];
    });
  }
  function fmt(n, d) {
    if (n === null || n === undefined || isNaN(n)) { return "\u2014"; }
    return Number(n).toLocaleString("en-US", {minimumFractionDigits: d, maximumFractionDigits: d});
  }

  // ---- WGS84/CGCS2000 -> GCJ-02 (the published formula, as redline.layers.webcoords.wgs84_to_gcj02)
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320.0 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function gcj(lon, lat) {
    if (lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271) { return [lon, lat]; }
    var x = lon - 105.0, y = lat - 35.0;
    var dLat = tLat(x, y), dLon = tLon(x, y);
    var rad = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLon = (dLon * 180.0) / (A / sq * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }

  var shifted = false;
  function P(lon, lat) {
    if (shifted) { var g = gcj(lon, lat); return L.latLng(g[1], g[0]); }
    return L.latLng(lat, lon);
  }

  // ---- geometry decoding: [type, parts], coordinates as delta-encoded integers of 1e-6 degree
  function ring(a) {
    var out = new Array(a.length / 2), x = 0, y = 0;
    for (var i = 0, j = 0; i < a.length; i += 2, j++) { x += a[i]; y += a[i + 1]; out[j] = P(x / 1e6, y / 1e6); }
    return out;
  }
  function shapes(g, style, renderer) {
    var out = [], i;
    if (g[0] === 3) {
      var polys = g[1].map(function (p) { return p.map(ring); });
      out.push(L.polygon(polys.length === 1 ? polys[0] : polys, L.extend({renderer: renderer}, style)));
    } else if (g[0] === 2) {
      var lines = g[1].map(ring);
      out.push(L.polyline(lines.length === 1 ? lines[0] : lines, L.extend({renderer: renderer}, style)));
    } else if (g[0] === 1) {
      // one layer per feature: the points of a multipoint go in one group
      var pts = ring(g[1]), markers = [];
      for (i = 0; i < pts.length; i++) {
        markers.push(L.circleMarker(pts[i], L.extend({renderer: renderer, radius: 5}, style)));
      }
      out.push(markers.length === 1 ? markers[0] : L.featureGroup(markers));
    }
    return out;
  }

  // one map pane per overlay, stacked in drawing order, each with its own renderers, so a
  // canvas-drawn layer never hides an SVG one drawn above it
  var renderers = {};
  function pane(name, z) {
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = String(z); }
    return name;
  }
  function renderer(name, useCanvas) {
    var key = name + (useCanvas ? ":c" : ":s");
    if (!renderers[key]) {
      renderers[key] = useCanvas ? L.canvas({pane: name, padding: 0.5, tolerance: 3})
        : L.svg({pane: name, padding: 0.5});
    }
    return renderers[key];
  }
  var svg = renderer(pane("rcSites", 480), false), canvas = renderer("rcSites", true);
  var overlapPane = pane("rcOverlaps", 460), ringPane = pane("rcRings", 470);
  function badge(v) {
    var info = D.verdicts[v] || D.verdicts[D.verdicts.length - 1];
    return '<span class="rc-badge ' + esc(info[0]) + '" style="background:' + esc(info[2]) + '">' +
      esc(info[1]) + "</span>";
  }

  // ---- zones
  function zonePopup(kind, f) {
    return '<div class="rc-pop"><b>' + esc(kind.label) + "</b><table>" +
      "<tr><th>" + esc(S.zone_id) + "</th><td>" + esc(f[1]) + "</td></tr>" +
      "<tr><th>" + esc(S.zone_name) + "</th><td>" + esc(f[2] || "\u2014") + "</td></tr>" +
      "<tr><th>" + esc(S.zone_class) + "</th><td>" +
      esc(kind.classes[f[3]] ? kind.classes[f[3]][0] : (f[3] || "\u2014")) + "</td></tr></table></div>";
  }
  function buildZones() {
    D.zones.forEach(function (z, n) {
      var holder = window[z.holder];
      holder.clearLayers();
      var kind = D.kinds[z.kind];
      var rend = renderer(pane("rcZones" + n, 401 + n), !(kind.svg || z.f.length <= 400));
      z.f.forEach(function (f) {
        var style = kind.classes[f[3]] ? kind.classes[f[3]][1] : kind.dflt;
        shapes(f[0], style, rend).forEach(function (layer) {
          layer.bindTooltip(esc(f[1]) + " " + esc(f[2]), {sticky: true});
          layer.bindPopup(function () { return zonePopup(kind, f); });
          holder.addLayer(layer);
        });
      });
    });
  }

  // ---- overlaps
  function buildOverlaps() {
    if (!D.overlaps) { return; }
    var holder = window[D.overlaps.holder];
    holder.clearLayers();
    var rend = renderer(overlapPane, D.overlaps.f.length > 400);
    D.overlaps.f.forEach(function (f) {
      shapes(f[0], f[0][0] === 2 ? D.overlaps.line : D.overlaps.style, rend).forEach(function (layer) {
        layer.bindTooltip(esc(f[1]), {sticky: true});
        holder.addLayer(layer);
      });
    });
  }

  // ---- sites: decoded once, clustered on a pixel grid at each view change
  var T = D.sites, N = T ? T.id.length : 0;
  var lon = new Float64Array(N), lat = new Float64Array(N), mx = new Float64Array(N), my = new Float64Array(N);
  (function () {
    var x = 0, y = 0;
    for (var i = 0; i < N; i++) { x += T.pt[2 * i]; y += T.pt[2 * i + 1]; lon[i] = x / 1e6; lat[i] = y / 1e6; }
  })();
  function project() {
    for (var i = 0; i < N; i++) {
      var ll = shifted ? gcj(lon[i], lat[i]) : [lon[i], lat[i]];
      var s = Math.sin(Math.max(Math.min(ll[1], 85.05), -85.05) * Math.PI / 180);
      mx[i] = (ll[0] + 180) / 360;
      my[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
  }
  function siteLatLng(i) { return P(lon[i], lat[i]); }

  var zoneRef = T ? T.Z : [], rels = T ? T.rel : [], mtypes = ["m\u00b2", "m", "m"];
  function sitePopup(i) {
    var h = '<div class="rc-pop"><b>' + esc(T.id[i]) + " " + esc(T.name[i]) + "</b> " + badge(T.v[i]);
    if (T.err[i]) { h += "<br>" + esc(T.err[i]); }
    var a = T.off[i], b = T.off[i + 1];
    if (a === b) { return h + "<br>" + esc(S.no_findings) + "</div>"; }
    h += "<table><tr>" + S.cols.map(function (c) { return "<th>" + esc(c) + "</th>"; }).join("") + "</tr>";
    var shown = Math.min(b, a + 60);
    for (var k = a; k < shown; k++) {
      var z = zoneRef[T.F.z[k]];
      var kind = D.kinds[z[0]];
      var cls = kind.classes[z[3]] ? kind.classes[z[3]][0] : (z[3] || "");
      var m = T.F.m[k];
      var measured = m === null ? "\u2014" : fmt(m, 1) + " " + mtypes[T.F.mt[k]];
      h += "<tr><td>" + esc(kind.label) + "</td><td>" + esc(z[1]) + " " + esc(z[2]) + "</td><td>" +
        esc(cls || "\u2014") + "</td><td>" + esc(rels[T.F.rel[k]]) + "</td><td>" + esc(measured) +
        "</td><td>" + badge(T.F.v[k]) + "</td><td>" + esc(T.R[T.F.r[k]]) + "</td></tr>";
    }
    h += "</table>";
    if (b > shown) { h += esc(S.more_findings.replace("{n}", String(b - shown))); }
    return h + "</div>";
  }
  function siteStyle(i, type) {
    var c = D.verdicts[T.v[i]][2];
    if (type === 2) { return {color: c, weight: 5, opacity: 0.95}; }
    if (type === 3) { return {color: c, weight: 3, fillColor: c, fillOpacity: 0.2}; }
    return {color: "#1c2833", weight: 1.5, fillColor: c, fillOpacity: 0.95, radius: 7};
  }

  var siteGroup = L.layerGroup(), ringGroup = L.layerGroup();
  var sitesHolder = T ? window[T.holder] : null, ringsHolder = D.rings ? window[D.rings.holder] : null;
  if (sitesHolder) { sitesHolder.addLayer(siteGroup); }
  if (ringsHolder) { ringsHolder.addLayer(ringGroup); }
  var INDIVIDUAL_MAX = 1500, CELL = 64;
  var ringStyle = {color: "#1c2833", weight: 1.5, dashArray: "6 5", fill: false, interactive: false};
  var ringRenderer = renderer(ringPane, false);
  var state = {clusters: 0, markers: 0, rings: 0};

  function drawSite(i, z) {
    var g = T.g[i], layers;
    if (g && z >= 11) {
      layers = shapes(g, siteStyle(i, g[0]), svg);
    } else {
      layers = [L.circleMarker(siteLatLng(i), L.extend({renderer: canvas}, siteStyle(i, 1)))];
    }
    layers.forEach(function (layer) {
      layer.bindTooltip(esc(T.id[i]) + " " + esc(T.name[i]) + " \u2014 " + esc(D.verdicts[T.v[i]][1]));
      layer.bindPopup(function () { return sitePopup(i); }, {maxWidth: 560});
      layer.rcSite = i;
      siteGroup.addLayer(layer);
    });
    state.markers++;
  }
  function drawRing(i) {
    var rg = D.rings.g[i];
    if (rg) {
      shapes(rg, ringStyle, ringRenderer).forEach(function (l) { ringGroup.addLayer(l); });
    } else if (!T.g[i]) {
      var circle = L.extend({radius: D.rings.buffer, renderer: ringRenderer}, ringStyle);
      ringGroup.addLayer(L.circle(siteLatLng(i), circle));
    } else {
      return;
    }
    state.rings++;
  }
  function clusterIcon(count, worst) {
    var size = count < 10 ? 26 : count < 100 ? 32 : count < 1000 ? 38 : 46;
    var text = count < 10000 ? String(count) : Math.round(count / 1000) + "k";
    var info = D.verdicts[worst];
    return L.divIcon({
      html: '<div class="rc-cl ' + esc(info[0]) + '" style="width:' + size + "px;height:" + size + "px;background:" +
        esc(info[2]) + '">' + text + "</div>",
      className: "", iconSize: [size, size]
    });
  }
  function redraw() {
    if (!T) { return; }
    siteGroup.clearLayers();
    ringGroup.clearLayers();
    state = {clusters: 0, markers: 0, rings: 0};
    var showSites = map.hasLayer(sitesHolder), showRings = ringsHolder && map.hasLayer(ringsHolder);
    if (!showSites && !showRings) { return; }
    var z = map.getZoom(), scale = 256 * Math.pow(2, z);
    var pb = map.getPixelBounds(), pad = 80;
    var x0 = pb.min.x - pad, x1 = pb.max.x + pad, y0 = pb.min.y - pad, y1 = pb.max.y + pad;
    var inView = [], i;
    for (i = 0; i < N; i++) {
      var px = mx[i] * scale, py = my[i] * scale;
      if (px >= x0 && px <= x1 && py >= y0 && py <= y1) { inView.push(i); }
    }
    if (inView.length <= INDIVIDUAL_MAX || z >= 17) {
      inView.forEach(function (j) {
        if (showSites) { drawSite(j, z); }
        if (showRings) { drawRing(j); }
      });
      return;
    }
    if (!showSites) { return; }
    var cells = new Map();
    inView.forEach(function (j) {
      var key = Math.floor(mx[j] * scale / CELL) * 1e7 + Math.floor(my[j] * scale / CELL);
      var c = cells.get(key);
      if (!c) { c = {n: 0, x: 0, y: 0, worst: 99, first: j}; cells.set(key, c); }
      c.n++; c.x += mx[j]; c.y += my[j];
      if (T.v[j] < c.worst) { c.worst = T.v[j]; }
    });
    cells.forEach(function (c) {
      if (c.n === 1) { drawSite(c.first, z); return; }
      var ll = map.unproject(L.point(c.x / c.n * scale, c.y / c.n * scale), z);
      var m = L.marker(ll, {icon: clusterIcon(c.n, c.worst), title: String(c.n)});
      m.on("click", function () { map.setView(ll, Math.min(z + 2, map.getMaxZoom())); });
      siteGroup.addLayer(m);
      state.clusters++;
    });
  }

  function rebuild() {
    buildZones();
    buildOverlaps();
    project();
    redraw();
  }

  map.on("moveend", redraw);
  map.on("overlayadd overlayremove", function (e) {
    if (e.layer === sitesHolder || e.layer === ringsHolder) { redraw(); }
  });
  map.on("baselayerchange", function (e) {
    var want = !!(D.gaode && e.layer === window[D.gaode]);
    if (want !== shifted) { shifted = want; rebuild(); }
  });

  // ---- controls: full screen, measure, north arrow
  var Fullscreen = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "leaflet-bar rc-ctl rc-fullscreen");
      var a = L.DomUtil.create("a", "", div);
      a.href = "#"; a.title = S.fullscreen;
      a.setAttribute("role", "button"); a.setAttribute("aria-label", S.fullscreen);
      a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"' +
        ' style="vertical-align:middle"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none"' +
        ' stroke="#1c2833" stroke-width="2"/></svg>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(a, "click", function (ev) {
        L.DomEvent.preventDefault(ev);
        var c = map.getContainer();
        var css = function () {
          if (L.DomUtil.hasClass(c, "rc-fullscreen-css")) { L.DomUtil.removeClass(c, "rc-fullscreen-css"); }
          else { L.DomUtil.addClass(c, "rc-fullscreen-css"); }
          map.invalidateSize();
        };
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (c.requestFullscreen) { c.requestFullscreen().catch(css); }
        else { css(); }
      });
      document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
      return div;
    }
  });

  var GA = 6378137.0, GF = 1 / 298.257222101, GB = GA * (1 - GF), E2 = GF * (2 - GF);
  function vincenty(p1, p2) {
    var rad = Math.PI / 180, L1 = (p2.lng - p1.lng) * rad;
    var U1 = Math.atan((1 - GF) * Math.tan(p1.lat * rad)), U2 = Math.atan((1 - GF) * Math.tan(p2.lat * rad));
    var sU1 = Math.sin(U1), cU1 = Math.cos(U1), sU2 = Math.sin(U2), cU2 = Math.cos(U2);
    var lam = L1, it = 0, sS, cS, sig, sA, c2A, c2M, C, prev;
    do {
      var sl = Math.sin(lam), cl = Math.cos(lam);
      sS = Math.sqrt((cU2 * sl) * (cU2 * sl) + (cU1 * sU2 - sU1 * cU2 * cl) * (cU1 * sU2 - sU1 * cU2 * cl));
      if (sS === 0) { return 0; }
      cS = sU1 * sU2 + cU1 * cU2 * cl;
      sig = Math.atan2(sS, cS);
      sA = cU1 * cU2 * sl / sS;
      c2A = 1 - sA * sA;
      c2M = c2A !== 0 ? cS - 2 * sU1 * sU2 / c2A : 0;
      C = GF / 16 * c2A * (4 + GF * (4 - 3 * c2A));
      prev = lam;
      lam = L1 + (1 - C) * GF * sA * (sig + C * sS * (c2M + C * cS * (-1 + 2 * c2M * c2M)));
    } while (Math.abs(lam - prev) > 1e-12 && ++it < 200);
    if (it >= 200) { return map.distance(p1, p2); }
    var u2 = c2A * (GA * GA - GB * GB) / (GB * GB);
    var Aa = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var Bb = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = Bb * sS * (c2M + Bb / 4 * (cS * (-1 + 2 * c2M * c2M) -
      Bb / 6 * c2M * (-3 + 4 * sS * sS) * (-3 + 4 * c2M * c2M)));
    return GB * Aa * (sig - dS);
  }
  function meridian(phi) {
    var e4 = E2 * E2, e6 = e4 * E2;
    return GA * ((1 - E2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi -
      (3 * E2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * Math.sin(2 * phi) +
      (15 * e4 / 256 + 45 * e6 / 1024) * Math.sin(4 * phi) - (35 * e6 / 3072) * Math.sin(6 * phi));
  }
  function area(pts) {
    // equal-area (ellipsoidal sinusoidal) coordinates, then the shoelace formula
    if (pts.length < 3) { return 0; }
    var rad = Math.PI / 180, lon0 = pts[0].lng, xy = pts.map(function (p) {
      var phi = p.lat * rad, s = Math.sin(phi);
      return [(p.lng - lon0) * rad * GA * Math.cos(phi) / Math.sqrt(1 - E2 * s * s), meridian(phi)];
    });
    var sum = 0;
    for (var i = 0; i < xy.length; i++) {
      var a = xy[i], b = xy[(i + 1) % xy.length];
      sum += a[0] * b[1] - b[0] * a[1];
    }
    return Math.abs(sum) / 2;
  }
  function length(pts, closed) {
    var s = 0;
    for (var i = 1; i < pts.length; i++) { s += vincenty(pts[i - 1], pts[i]); }
    if (closed && pts.length > 2) { s += vincenty(pts[pts.length - 1], pts[0]); }
    return s;
  }
  function metres(m) { return m >= 1000 ? fmt(m / 1000, 3) + " km" : fmt(m, 1) + " m"; }
  function squareMetres(m) { return m >= 1e6 ? fmt(m / 1e6, 4) + " km\u00b2" : fmt(m, 1) + " m\u00b2"; }

  var measure = {mode: null, pts: [], layer: L.layerGroup().addTo(map), out: null, buttons: {}};
  function measureDraw() {
    measure.layer.clearLayers();
    var pts = measure.pts, style = {color: "#2e4053", weight: 2.5, dashArray: "4 4", renderer: svg, interactive: false};
    if (pts.length > 1) {
      var shape = measure.kind === "area" ? L.polygon(pts, L.extend({fillOpacity: 0.15}, style))
        : L.polyline(pts, style);
      measure.layer.addLayer(shape);
    }
    pts.forEach(function (p) {
      measure.layer.addLayer(L.circleMarker(p, {radius: 3, color: "#2e4053", renderer: svg, interactive: false}));
    });
    var text = "";
    if (measure.kind === "line") {
      text = esc(S.measure_length) + ": " + metres(length(pts, false));
    } else if (pts.length) {
      text = esc(S.measure_area) + ": " + squareMetres(area(pts)) + "<br>" +
        esc(S.measure_length) + ": " + metres(length(pts, true));
    }
    measure.out.innerHTML = pts.length ? text + '<br><span style="color:#777">' + esc(S.measure_hint) + "</span>" : "";
  }
  function measureStart(mode) {
    measure.mode = mode; measure.kind = mode; measure.pts = [];
    map.doubleClickZoom.disable();
    map.getContainer().style.cursor = "crosshair";
    Object.keys(measure.buttons).forEach(function (k) { L.DomUtil.removeClass(measure.buttons[k], "rc-on"); });
    L.DomUtil.addClass(measure.buttons[mode], "rc-on");
    measure.out.innerHTML = '<span style="color:#777">' + esc(S.measure_hint) + "</span>";
  }
  function measureStop() {
    measure.mode = null;
    map.doubleClickZoom.enable();
    map.getContainer().style.cursor = "";
    Object.keys(measure.buttons).forEach(function (k) { L.DomUtil.removeClass(measure.buttons[k], "rc-on"); });
  }
  map.on("click", function (e) {
    if (!measure.mode) { return; }
    var last = measure.pts[measure.pts.length - 1];
    // the second click of a double-click lands on the last point: skip it
    if (last && map.latLngToContainerPoint(last).distanceTo(e.containerPoint) < 4) { return; }
    measure.pts.push(e.latlng);
    measureDraw();
  });
  map.on("dblclick", function () { if (measure.mode) { measureStop(); measureDraw(); } });
  var Measure = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "leaflet-bar rc-ctl rc-measure");
      [["line", S.measure_distance], ["area", S.measure_area_button], ["clear", S.measure_clear]].forEach(function (b) {
        var a = L.DomUtil.create("a", "", div);
        a.href = "#"; a.textContent = b[1]; a.title = b[1]; a.setAttribute("role", "button");
        a.setAttribute("data-mode", b[0]);
        measure.buttons[b[0]] = a;
        L.DomEvent.on(a, "click", function (ev) {
          L.DomEvent.stop(ev);
          if (b[0] === "clear") { measureStop(); measure.pts = []; measureDraw(); return; }
          if (measure.mode === b[0]) { measureStop(); measureDraw(); } else { measureStart(b[0]); }
        });
      });
      measure.out = L.DomUtil.create("div", "rc-measure-out", div);
      L.DomEvent.disableClickPropagation(div);
      return div;
    }
  });
  var North = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "rc-north");
      div.innerHTML = '<svg width="22" height="30" viewBox="0 0 22 30" aria-hidden="true">' +
        '<path d="M11 1 L20 28 L11 21 Z" fill="#fff" stroke="#1c2833"/>' +
        '<path d="M11 1 L2 28 L11 21 Z" fill="#1c2833"/></svg>' +
        esc(S.north);
      return div;
    }
  });
  new Fullscreen().addTo(map);
  new Measure().addTo(map);
  if (D.north) { new North().addTo(map); }

  // ---- the legend: docked in the lower-left corner (above the scale), folded by its button
  var legendEl = document.getElementById("rc-legend");
  function legendOpen(open) {
    if (!legendEl) { return false; }
    var btn = legendEl.querySelector(".rc-legend-toggle");
    if (open === undefined) { open = L.DomUtil.hasClass(legendEl, "rc-collapsed"); }
    if (open) { L.DomUtil.removeClass(legendEl, "rc-collapsed"); } else { L.DomUtil.addClass(legendEl, "rc-collapsed"); }
    if (btn) {
      btn.setAttribute("aria-expanded", String(open));
      btn.title = btn.getAttribute(open ? "data-hide" : "data-show");
      btn.textContent = open ? "\u2212" : "+";
    }
    return open;
  }
  var Legend = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd: function () {
      L.DomUtil.addClass(legendEl, "leaflet-control");
      L.DomUtil.addClass(legendEl, "rc-docked");
      L.DomEvent.disableClickPropagation(legendEl);
      L.DomEvent.disableScrollPropagation(legendEl);
      var btn = legendEl.querySelector(".rc-legend-toggle");
      if (btn) { L.DomEvent.on(btn, "click", function (ev) { L.DomEvent.stop(ev); legendOpen(); }); }
      return legendEl;
    }
  });
  if (legendEl) { new Legend().addTo(map); }

  // ---- the first view: the data framed clear of the legend, the layer control and the top box;
  // the legend is folded when the view would be too small with it open
  function box(el) {
    if (!el) { return null; }
    var r = el.getBoundingClientRect();
    return r.width && r.height ? r : null;
  }
  function padding() {
    var c = map.getContainer().getBoundingClientRect(), p = {l: 10, t: 10, r: 10, b: 30};
    var legend = box(legendEl), layers = box(map.getContainer().querySelector(".leaflet-control-layers"));
    var top = box(document.getElementById("rc-top"));
    if (legend) { p.l = Math.max(p.l, legend.right - c.left + 12); }
    if (layers) { p.r = Math.max(p.r, c.right - layers.left + 12); }
    if (top) { p.t = Math.max(p.t, top.bottom - c.top + 10); }
    return p;
  }
  function fitView() {
    if (!D.bounds) { return; }
    var size = map.getSize(), p = padding();
    if (legendEl && (size.x - p.l - p.r < 0.45 * size.x || size.y - p.t - p.b < 0.45 * size.y)) {
      legendOpen(false);
      p = padding();
    }
    map.fitBounds(D.bounds, {paddingTopLeft: [p.l, p.t], paddingBottomRight: [p.r, p.b], animate: false});
  }
  function siteBoxes() {
    // container-pixel boxes [x0, y0, x1, y1] of every site layer drawn (markers, shapes, clusters)
    var out = [];
    siteGroup.eachLayer(function (l) {
      var a, b, r;
      if (l.getBounds) {
        a = map.latLngToContainerPoint(l.getBounds().getNorthWest());
        b = map.latLngToContainerPoint(l.getBounds().getSouthEast());
        out.push([a.x, a.y, b.x, b.y]);
      } else {
        a = map.latLngToContainerPoint(l.getLatLng());
        r = l.getRadius ? l.getRadius() + 1.5 : 23;
        out.push([a.x - r, a.y - r, a.x + r, a.y + r]);
      }
    });
    return out;
  }

  rebuild();
  fitView();

  // a small, read-only handle for tests and for people poking at the page
  window.rc = {
    gcj: gcj,
    isShifted: function () { return shifted; },
    siteLatLng: function (i) { var p = siteLatLng(i); return [p.lat, p.lng]; },
    siteIndex: function (id) { return T ? T.id.indexOf(id) : -1; },
    sitePopup: function (i) { return sitePopup(i); },
    openSite: function (i) {
      var p = L.popup({maxWidth: 560}).setLatLng(siteLatLng(i)).setContent(sitePopup(i));
      p.openOn(map);
      return p;
    },
    openZone: function (k, j) {
      var z = D.zones[k], kind = D.kinds[z.kind], f = z.f[j];
      var layer = shapes(f[0], kind.dflt, svg)[0];
      var c = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
      return L.popup().setLatLng(c).setContent(zonePopup(kind, f)).openOn(map);
    },
    zoneLayers: function (k) { return window[D.zones[k].holder].getLayers().length; },
    siteBoxes: siteBoxes,
    legendOpen: legendOpen,
    fitView: fitView,
    state: function () { return {clusters: state.clusters, markers: state.markers, rings: state.rings, sites: N}; },
    distance: vincenty,
    area: area
  };
})();
