(function (map, bases) {
  "use strict";
  // A metric scale, and the base map: the blank one unless the reader picked another on an
  // earlier visit (remembered in the browser's local storage under one key for every map page).
  var KEY = "redline-checker.base-map";
  L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);

  function layerOf(id) {
    for (var i = 0; i < bases.length; i++) {
      if (bases[i][0] === id) { return window[bases[i][1]] || null; }
    }
    return null;
  }
  function idOf(layer) {
    for (var i = 0; i < bases.length; i++) {
      if (window[bases[i][1]] === layer) { return bases[i][0]; }
    }
    return null;
  }
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  map.on("baselayerchange", function (e) {
    var id = idOf(e.layer);
    if (!id) { return; }
    try { window.localStorage.setItem(KEY, id); } catch (e2) { return; }  // storage off: not remembered
  });
  // after the layer control exists: pick the remembered base through it, so everything that
  // listens for a base change (the GCJ-02 shift) hears of it
  setTimeout(function () {
    var layer = layerOf(stored());
    if (!layer || map.hasLayer(layer)) { return; }
    var inputs = map.getContainer().querySelectorAll(".leaflet-control-layers-base input");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].layerId === L.stamp(layer)) { inputs[i].click(); return; }
    }
  }, 0);
})
