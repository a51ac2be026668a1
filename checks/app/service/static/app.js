/*
 * redline-checker screening service: the reviewer's page.
 *
 * Talks only to this service (/api/*); Leaflet comes from /static/leaflet/.
 * Every text that comes from a layer, an API answer or an upload is put into the
 * page with textContent / createTextNode (see el() below), never as markup.
 * The page never opens alert/confirm/prompt dialogs: the token is asked for in a
 * modal form of its own.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- strings
  /** key -> [中文, English] */
  var STRINGS = {
    'title': ['选址生态环境敏感区筛查', 'Site screening against ecological red lines'],
    'layerset': ['图层集', 'Layer set'],
    'illustrative': ['示意数据，非官方', 'Illustrative data, not official'],
    'tab.single': ['单个选址', 'One site'],
    'tab.batch': ['批量检查', 'Batch'],
    'site.legend': ['选址', 'Site'],
    'site.hint': [
      '在地图上点选、画线或画面，或在下面粘贴坐标、WKT 或 GeoJSON。',
      'Click, draw a line or a polygon on the map, or paste coordinates, WKT or GeoJSON below.'],
    'site.text': ['坐标 / WKT / GeoJSON', 'Coordinates / WKT / GeoJSON'],
    'site.crs': ['坐标系', 'Coordinate system'],
    'site.fix': ['自相交的面用 make_valid 修复后检查', 'Repair a self-intersecting polygon (make_valid) and check it'],
    'site.empty': ['请在地图上选取选址，或粘贴坐标。', 'Pick a site on the map or paste coordinates.'],
    'site.bad_json': ['GeoJSON 无法解析：{msg}', 'GeoJSON cannot be read: {msg}'],
    'site.many_features': [
      '此 GeoJSON 含 {n} 个要素；单个检查只接受一个，多个选址请用「批量检查」。',
      'This GeoJSON has {n} features; a single check takes one; use Batch for several sites.'],
    'project.legend': ['项目', 'Project'],
    'industry': ['行业（国民经济行业分类 GB/T 4754-2017）', 'Industry (GB/T 4754-2017)'],
    'industry.placeholder': ['输入代码或名称，如 电镀、C3360', 'Type a code or a name, e.g. 电镀, C3360'],
    'industry.none': ['没有匹配的行业', 'No matching industry'],
    'industry.remove': ['移除', 'Remove'],
    'tags': ['项目特征', 'Project tags'],
    'action': ['建设性质', 'Action'],
    'action.none': ['（未指定）', '(not given)'],
    'action.new': ['新建', 'new'],
    'action.expand': ['扩建', 'expand'],
    'action.rebuild': ['改建', 'rebuild'],
    'buffer': ['缓冲距离（m）', 'Buffer (m)'],
    'check': ['检查', 'Check'],
    'checking': ['检查中…', 'Checking…'],
    'batch.legend': ['批量文件', 'Batch file'],
    'batch.hint': [
      '支持 Shapefile 压缩包（.zip）、GeoPackage、GeoJSON、FlatGeobuf、CSV、Excel（.xlsx）。',
      'Zipped shapefile (.zip), GeoPackage, GeoJSON, FlatGeobuf, CSV or Excel (.xlsx).'],
    'batch.id_field': ['编号字段', 'ID field'],
    'batch.name_field': ['名称字段', 'Name field'],
    'batch.industry_field': ['行业字段', 'Industry field'],
    'batch.tags_field': ['特征字段', 'Tags field'],
    'batch.action_field': ['建设性质字段', 'Action field'],
    'batch.encoding': ['编码', 'Encoding'],
    'batch.encoding_auto': ['自动', 'automatic'],
    'batch.crs': ['坐标系（文件未声明时）', 'CRS (when the file has none)'],
    'batch.crs_auto': ['按文件声明', 'as the file says'],
    'batch.industry': ['默认行业', 'Default industry'],
    'batch.tags': ['默认特征（; 分隔）', 'Default tags (; separated)'],
    'batch.action': ['默认建设性质', 'Default action'],
    'batch.default_hint': ['行中未填时使用', 'for rows without one'],
    'batch.formats': ['输出格式', 'Outputs'],
    'batch.format_map': ['交互地图', 'interactive map'],
    'batch.format_html': ['报告 HTML', 'report HTML'],
    'batch.format_docx': ['报告 Word', 'report Word'],
    'batch.formats_hint': ['HTML 与 Word 报告含静态地图，生成较慢。', 'The HTML and Word reports hold static maps and take longer.'],
    'batch.no_format': ['请至少选择一种输出格式。', 'Choose at least one output.'],
    'batch.submit': ['上传并检查', 'Upload and check'],
    'batch.no_file': ['请选择文件。', 'Choose a file.'],
    'batch.uploading': ['上传中…', 'Uploading…'],
    'batch.queued': ['排队中…', 'Queued…'],
    'batch.running': ['检查中：{done} / {total}', 'Checking: {done} / {total}'],
    'batch.reading': ['读取文件中…', 'Reading the file…'],
    'batch.writing': ['写出结果文件中：{done} / {total}', 'Writing the outputs: {done} / {total}'],
    'batch.done': ['完成：共 {total} 个选址', 'Done: {total} sites'],
    'batch.error': ['批量检查失败：{msg}', 'Batch failed: {msg}'],
    'batch.files': ['结果文件', 'Output files'],
    'batch.lost': ['无法获取任务状态：{msg}', 'Cannot read the job status: {msg}'],
    'layers.title': ['图层', 'Layers'],
    'layers.kind': ['类型', 'Kind'],
    'layers.features': ['区域数', 'Zones'],
    'layers.classes': ['级别', 'Classes'],
    'layers.confidential': ['涉密', 'confidential'],
    'layers.confidential_note': [
      '涉密图层参与检查，但其边界不在地图上显示，检查结果中也不含其几何。',
      'Confidential layers are screened, but their boundaries are never shown on the map or sent with results.'],
    'layers.catalogs': ['规则目录：{list}', 'Rule catalogues: {list}'],
    'draw.point': ['点选', 'Point'],
    'draw.line': ['画线', 'Line'],
    'draw.polygon': ['画面', 'Polygon'],
    'draw.finish': ['完成', 'Finish'],
    'draw.undo': ['撤销', 'Undo'],
    'draw.clear': ['清除', 'Clear'],
    'draw.hint.point': ['单击地图选取选址点。', 'Click the map to pick the site.'],
    'draw.hint.line': ['单击添加折点，双击或点「完成」结束。', 'Click to add vertices; double-click or Finish to end.'],
    'draw.hint.polygon': ['单击添加顶点，双击或点「完成」结束。', 'Click to add vertices; double-click or Finish to end.'],
    'draw.need_line': ['线至少需要 2 个点。', 'A line needs at least 2 points.'],
    'draw.need_polygon': ['面至少需要 3 个点。', 'A polygon needs at least 3 points.'],
    'draw.done': ['已写入左侧文本框（CGCS2000 经纬度）。', 'Written to the text box (CGCS2000 lon,lat).'],
    'map.blank': ['空白底图（离线）', 'Blank (offline)'],
    'map.osm': ['OpenStreetMap 底图（需联网）', 'OpenStreetMap (needs the internet)'],
    'map.legend': ['图例', 'Legend'],
    'map.site': ['选址', 'Site'],
    'map.overlap': ['选址与区域的重叠部分', 'site ∩ zone overlap'],
    'map.buffer': ['缓冲区（{buffer} m）', 'buffer ({buffer} m)'],
    'map.truncated': ['区域过多，仅显示前 {n} 个；请放大地图。', 'Too many zones; only {n} are drawn; zoom in.'],
    'map.zone_note': [
      '底图为 WGS84/CGCS2000 经纬度；未提供高德等 GCJ-02 底图，以免叠加错位。',
      'Base maps are WGS84/CGCS2000; no GCJ-02 (Gaode) base is offered, so overlays never drift.'],
    'findings.title': ['发现', 'Findings'],
    'findings.none': ['在缓冲距离内未发现任何敏感区。', 'No zone within the buffer.'],
    'col.kind': ['类型', 'Kind'],
    'col.zone': ['区域', 'Zone'],
    'col.class': ['级别', 'Class'],
    'col.relation': ['关系', 'Relation'],
    'col.measure': ['面积 / 长度 / 距离', 'Area / length / distance'],
    'col.verdict': ['结论', 'Verdict'],
    'col.rule': ['规则', 'Rule'],
    'col.rule_text': ['规则内容 / 依据', 'Rule text / basis'],
    'measure.area': ['重叠面积 {v} m²', 'overlap {v} m²'],
    'measure.ratio': ['（占选址 {v}%）', ' ({v}% of the site)'],
    'measure.length': ['重叠长度 {v} m', 'overlap length {v} m'],
    'measure.distance': ['距离 {v} m', 'distance {v} m'],
    'basis': ['依据：', 'Basis: '],
    'confidential': ['涉密', 'confidential'],
    'confidential.no_geometry': ['涉密图层：不显示边界', 'confidential layer: boundary not shown'],
    'site.summary': ['选址 {id}（{type}）', 'Site {id} ({type})'],
    'site.area': ['面积 {v} m²', 'area {v} m²'],
    'geom.Point': ['点', 'point'],
    'geom.LineString': ['线', 'line'],
    'geom.Polygon': ['面', 'polygon'],
    'geom.multi': ['多{type}', 'multi-{type}'],
    'site.length': ['长度 {v} m', 'length {v} m'],
    'site.eia': ['环评类别：{v}（{item}）', 'EIA document: {v} ({item})'],
    'links.report': ['研判报告（HTML）', 'Report (HTML)'],
    'links.docx': ['研判报告（Word）', 'Report (Word)'],
    'links.map': ['交互地图', 'Interactive map'],
    'access.title': ['管控单元 {unit} 生态环境准入清单', 'Control unit {unit}: environmental access list'],
    'access.applies': ['✔ 适用于本项目', '✔ applies to this project'],
    'access.summary': ['共 {n} 条，其中 {m} 条适用于本项目（突出显示）。', '{n} clauses, {m} apply to this project (highlighted).'],
    'verdict.prohibited': ['禁止', 'prohibited'],
    'verdict.restricted': ['限制/需论证', 'restricted'],
    'verdict.review': ['需关注', 'review'],
    'verdict.no_coverage': ['超出图层覆盖范围', "outside the layers' coverage"],
    'verdict.clear': ['未发现冲突', 'clear'],
    'verdict.error': ['无法检查', 'error'],
    'error.network': ['无法连接服务：{msg}', 'Cannot reach the service: {msg}'],
    'error.status': ['服务返回错误 {status}', 'The service answered {status}'],
    'token.title': ['需要访问令牌', 'Access token needed'],
    'token.hint': [
      '此服务需要令牌（token）。令牌只保存在本浏览器标签页中。',
      'This service needs a token. It is kept in this browser tab only.'],
    'token.ok': ['确定', 'OK'],
    'token.wrong': ['令牌无效，请重新输入。', 'The token was refused; enter it again.'],
    'token.empty': ['请输入令牌。', 'Enter the token.'],
    'token.ascii': ['令牌只含英文字母、数字和符号（不含空格）。', 'A token holds ASCII letters, digits and symbols only (no spaces).'],
    'token.state': ['已使用令牌', 'token in use'],
    'footer.disclaimer': [
      '本工具的研判结论是选址筛查的辅助参考，不是行政决定；以主管部门的审查意见为准。',
      "The tool's verdict is a screening aid, not an administrative decision; the competent authority's review prevails."],
    'crs.EPSG:4490': ['CGCS2000 经纬度（lon,lat）', 'CGCS2000 lon,lat'],
    'crs.EPSG:4326': ['WGS84 经纬度（lon,lat，GPS）', 'WGS 84 lon,lat (GPS)'],
    'crs.gcj02': ['GCJ-02 经纬度（高德、腾讯地图）', 'GCJ-02 lon,lat (Gaode/AMap, Tencent)'],
    'crs.bd09': ['BD-09 经纬度（百度地图）', 'BD-09 lon,lat (Baidu)'],
    'crs.gk3': ['CGCS2000 3° 高斯-克吕格 中央经线 {cm}°E', 'CGCS2000 3° Gauss-Krüger CM {cm}°E'],
    'crs.other': ['其他 EPSG 代码…', 'Other EPSG code…']
  };

  var VERDICTS = ['prohibited', 'restricted', 'review', 'no_coverage', 'clear', 'error'];

  /** The verdict colours of the reports and maps (maps/_style.py VERDICT_COLORS). */
  var VERDICT_COLORS = {
    prohibited: '#c0392b',
    restricted: '#e67e22',
    review: '#f1c40f',
    no_coverage: '#7f8fa6',
    clear: '#27ae60',
    error: '#95a5a6'
  };

  /** Overlap (site ∩ zone) style (maps/_style.py OVERLAP_STYLE). */
  var OVERLAP_STYLE = { color: '#8e44ad', weight: 2, fillColor: '#8e44ad', fillOpacity: 0.55 };

  var HATCH = 'url(#redline-hatch)';
  var REDLINE = { color: '#c0392b', fillColor: HATCH, fillOpacity: 1.0 };
  var DEFAULT_STYLE = { color: '#566573', weight: 1.5, fillColor: '#aab7b8', fillOpacity: 0.25 };

  /** kind -> zone class ('' for none) -> Leaflet path style (maps/_style.py ZONE_STYLES). */
  var ZONE_STYLES = {
    ecological_redline: {
      '': Object.assign({}, REDLINE, { weight: 2 }),
      core: Object.assign({}, REDLINE, { weight: 3 }),
      other: Object.assign({}, REDLINE, { weight: 2 })
    },
    water_source: {
      first: { color: '#08306b', weight: 2, fillColor: '#08519c', fillOpacity: 0.55 },
      second: { color: '#2171b5', weight: 1.5, fillColor: '#4292c6', fillOpacity: 0.4 },
      quasi: { color: '#6baed6', weight: 1.5, fillColor: '#9ecae1', fillOpacity: 0.3 },
      '': { color: '#2171b5', weight: 1.5, fillColor: '#9ecae1', fillOpacity: 0.3 }
    },
    control_unit: {
      priority: { color: '#1e8449', weight: 2, fillColor: '#27ae60', fillOpacity: 0.08 },
      key: { color: '#d35400', weight: 2, fillColor: '#e67e22', fillOpacity: 0.08 },
      general: { color: '#7f8c8d', weight: 1.5, fillColor: '#95a5a6', fillOpacity: 0.08 },
      '': { color: '#7f8c8d', weight: 1.5, fillColor: '#95a5a6', fillOpacity: 0.08 }
    },
    basic_farmland: {
      '': { color: '#b7950b', weight: 1, fillColor: '#f4d03f', fillOpacity: 0.45 }
    },
    nature_reserve: {
      core: { color: '#145a32', weight: 2.5, fillColor: '#1e8449', fillOpacity: 0.35 },
      general: { color: '#1e8449', weight: 2, fillColor: '#52be80', fillOpacity: 0.2 },
      '': { color: '#1e8449', weight: 2, fillColor: '#52be80', fillOpacity: 0.2 }
    },
    livestock_ban: {
      '': { color: '#6e2c00', weight: 1.5, fillColor: '#a04000', fillOpacity: 0.12, dashArray: '6 3' }
    },
    industrial_park: {
      '': { color: '#5b2c6f', weight: 2, fillColor: '#a569bd', fillOpacity: 0.1 }
    },
    basin: {
      '': { color: '#5dade2', weight: 1, fillColor: '#d6eaf8', fillOpacity: 0.15 }
    },
    ecological_function: {
      water_conservation: { color: '#138d75', weight: 1, fillColor: '#a3e4d7', fillOpacity: 0.15 },
      soil_conservation: { color: '#7d6608', weight: 1, fillColor: '#f9e79f', fillOpacity: 0.15 },
      biodiversity: { color: '#196f3d', weight: 1, fillColor: '#abebc6', fillOpacity: 0.15 },
      '': { color: '#138d75', weight: 1, fillColor: '#a3e4d7', fillOpacity: 0.15 }
    }
  };

  /**
   * Class labels (zones/kinds.py), used when the service does not send ``class_labels``:
   * kind -> class -> [中文, English].
   */
  var CLASS_LABELS = {
    ecological_redline: { core: ['自然保护地核心保护区', 'core protected area'], other: ['其他区域', 'other'] },
    water_source: {
      first: ['一级保护区', 'first-level zone'],
      second: ['二级保护区', 'second-level zone'],
      quasi: ['准保护区', 'quasi-protection zone']
    },
    control_unit: {
      priority: ['优先保护单元', 'priority protection unit'],
      key: ['重点管控单元', 'key control unit'],
      general: ['一般管控单元', 'general control unit']
    },
    nature_reserve: { core: ['核心保护区', 'core protection area'], general: ['一般控制区', 'general control area'] },
    ecological_function: {
      water_conservation: ['水源涵养区', 'water conservation'],
      soil_conservation: ['水土保持区', 'soil conservation'],
      biodiversity: ['生物多样性维护区', 'biodiversity maintenance']
    }
  };

  /** Kinds drawn bottom to top (maps/_style.py DRAW_ORDER); unknown kinds first. */
  var DRAW_ORDER = ['basin', 'ecological_function', 'control_unit', 'industrial_park', 'livestock_ban',
    'basic_farmland', 'nature_reserve', 'water_source', 'ecological_redline'];

  var TOKEN_KEY = 'redline-checker.token';
  var LANG_KEY = 'redline-checker.lang';

  // ---------------------------------------------------------------- state
  var state = {
    lang: 'zh',
    token: null,
    info: null,          // GET /api/layers
    kindLabels: {},      // kind -> label
    classLabels: {},     // kind -> {class -> label}
    industries: [],      // chosen [{code, name}]
    result: null,        // last POST /api/check answer
    lastBody: null,      // ... and the request that gave it
    job: null,           // last batch job answer
    jobHistory: [],      // [status, done, total] of every job answer shown
    zonesCount: 0,
    zonesTruncated: false,
    requests: 0
  };

  // ---------------------------------------------------------------- helpers
  function t(key, vars) {
    var pair = STRINGS[key];
    var text = pair ? pair[state.lang === 'en' ? 1 : 0] : key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return text;
  }

  /**
   * Make an element.  ``props.text`` becomes a text node; children may be nodes or
   * strings (strings become text nodes).  No markup is ever parsed.
   */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (name) {
      var value = props[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.appendChild(document.createTextNode(String(value)));
      else if (name === 'className') node.className = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name === 'style') Object.assign(node.style, value);
      else if (name.slice(0, 2) === 'on') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function $(id) { return document.getElementById(id); }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setText(node, text) {
    node.textContent = text === null || text === undefined ? '' : String(text);
  }

  function fmt(value, digits) {
    if (value === null || value === undefined || value === '' || !isFinite(value)) return '—';
    return Number(value).toLocaleString(state.lang === 'en' ? 'en-US' : 'zh-CN', {
      maximumFractionDigits: digits === undefined ? 1 : digits
    });
  }

  function verdictLabel(verdict, given) {
    return given || (STRINGS['verdict.' + verdict] ? t('verdict.' + verdict) : String(verdict));
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function kindLabel(kind) {
    return state.kindLabels[kind] || kind;
  }

  function classLabel(kind, cls, given) {
    if (given) return given;
    if (!cls) return '—';
    var labels = state.classLabels[kind] || {};
    if (labels[cls]) return labels[cls];
    var pair = (CLASS_LABELS[kind] || {})[cls];
    return pair ? pair[state.lang === 'en' ? 1 : 0] : cls;
  }

  // ---------------------------------------------------------------- API
  var tokenWaiters = null;

  function showTokenDialog(wrong) {
    var dialog = $('token-dialog');
    setText($('token-error'), wrong ? t('token.wrong') : '');
    $('token-input').value = '';
    dialog.hidden = false;
    $('token-input').focus();
  }

  /** Ask for the token (one dialog for every request waiting on it); resolves once entered. */
  function askToken(wrong) {
    if (!tokenWaiters) {
      tokenWaiters = [];
      showTokenDialog(wrong);
    }
    return new Promise(function (resolve) { tokenWaiters.push(resolve); });
  }

  function onTokenSubmit(ev) {
    ev.preventDefault();
    var value = $('token-input').value.trim();
    if (!value) {
      setText($('token-error'), t('token.empty'));
      return;
    }
    if (!/^[\x21-\x7e]+$/.test(value)) { // an HTTP header carries visible ASCII only
      setText($('token-error'), t('token.ascii'));
      return;
    }
    setToken(value);
    $('token-dialog').hidden = true;
    var waiters = tokenWaiters || [];
    tokenWaiters = null;
    waiters.forEach(function (resolve) { resolve(); });
  }

  function setToken(value) {
    state.token = value || null;
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage may be disabled: keep it in memory */ }
    var badge = $('token-state');
    badge.hidden = !value;
    setText(badge, value ? t('token.state') : '');
  }

  /**
   * Call the API.  Adds the bearer token, asks for one on 401 and retries.
   * Resolves to {ok, status, data}; data is the parsed JSON (or null).
   * A network failure resolves to {ok: false, status: 0, data: {error: {...}}}.
   */
  async function api(path, options) {
    options = options || {};
    var sentToken = null;
    for (;;) {
      var headers = new Headers();
      var body = options.body;
      if (options.json !== undefined) {
        headers.set('Content-Type', 'application/json');
        body = JSON.stringify(options.json);
      }
      headers.set('Accept', 'application/json');
      if (state.token) headers.set('Authorization', 'Bearer ' + state.token);
      sentToken = state.token;
      var resp;
      state.requests += 1;
      try {
        resp = await fetch(path, { method: options.method || 'GET', headers: headers, body: body,
          credentials: 'same-origin', cache: 'no-store' });
      } catch (e) {
        return { ok: false, status: 0, data: { error: { field: null, message: t('error.network', { msg: e.message }) } } };
      }
      if (resp.status === 401) {
        await askToken(Boolean(sentToken));
        continue;
      }
      var data = null;
      var type = resp.headers.get('Content-Type') || '';
      if (type.indexOf('json') >= 0) {
        try { data = await resp.json(); } catch (e) { data = null; }
      }
      return { ok: resp.ok, status: resp.status, data: data };
    }
  }

  /** Return {field, message} of a failed answer, whatever its shape. */
  function errorOf(answer) {
    var data = answer.data;
    if (data && data.error && typeof data.error === 'object') {
      var text = state.lang !== 'en' && data.error.message_zh ? data.error.message_zh : data.error.message;
      return { field: data.error.field || null, message: String(text || t('error.status', { status: answer.status })) };
    }
    if (data && data.detail) {
      var detail = data.detail;
      if (Array.isArray(detail) && detail.length && detail[0].loc) {
        var loc = detail[0].loc;
        return { field: String(loc[loc.length - 1]), message: String(detail[0].msg || '') };
      }
      return { field: null, message: typeof detail === 'string' ? detail : JSON.stringify(detail) };
    }
    return { field: null, message: t('error.status', { status: answer.status }) };
  }

  // ---------------------------------------------------------------- field errors
  function clearErrors(form) {
    form.querySelectorAll('.rc-field-error').forEach(function (node) { setText(node, ''); });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
  }

  /** Show ``message`` next to the field named ``field`` in ``form`` (or under the form). */
  function showError(form, field, message) {
    var slot = field ? form.querySelector('[data-error-for="' + CSS.escape(field) + '"]') : null;
    var input = field && form.elements[field] && form.elements[field].nodeType ? form.elements[field] : null;
    if (!slot && input) {
      slot = el('div', { className: 'rc-field-error', role: 'alert', dataset: { errorFor: field } });
      input.insertAdjacentElement('afterend', slot);
    }
    if (!slot) slot = form.querySelector('[data-error-for="_general"]');
    if (input) input.setAttribute('aria-invalid', 'true');
    else if (field === 'industry') $('industry-input').setAttribute('aria-invalid', 'true');
    setText(slot, message);
  }

  function showGlobalError(message) {
    var box = $('global-error');
    box.hidden = !message;
    setText(box, message || '');
  }

  // ---------------------------------------------------------------- static labels
  function applyLang() {
    document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
    document.title = t('title');
    document.querySelectorAll('[data-i18n]').forEach(function (node) {
      setText(node, t(node.getAttribute('data-i18n')));
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (node) {
      node.setAttribute('placeholder', t(node.getAttribute('data-i18n-placeholder')));
    });
    ['zh', 'en'].forEach(function (lang) {
      $('lang-' + lang).setAttribute('aria-pressed', String(state.lang === lang));
    });
    fillCrsSelect($('site-crs'), false);
    fillCrsSelect($('batch-crs'), true);
    setText($('zones-note'), t('map.zone_note'));
    if (state.token) setText($('token-state'), t('token.state'));
    updateDrawHint();
    if (map) {
      buildBaseControl();
      buildLegend();
    }
  }

  async function setLang(lang) {
    state.lang = lang === 'en' ? 'en' : 'zh';
    try { localStorage.setItem(LANG_KEY, state.lang); } catch (e) { /* ignore */ }
    applyLang();
    await loadLayers();
    await loadTags();
    if (state.job) renderJob(state.job);
    if (state.result && state.lastBody) {
      // the findings' labels come from the service: ask again in the new language
      var answer = await api('/api/check', { method: 'POST', json: Object.assign({}, state.lastBody, { lang: state.lang }) });
      if (answer.ok) state.result = answer.data;
      renderResult(state.result);
    }
  }

  // ---------------------------------------------------------------- CRS choices
  function crsChoices() {
    var list = ['EPSG:4490', 'EPSG:4326', 'gcj02', 'bd09'].map(function (code) {
      return [code, t('crs.' + code)];
    });
    for (var code = 4534; code <= 4554; code++) {
      list.push(['EPSG:' + code, 'EPSG:' + code + ' ' + t('crs.gk3', { cm: 75 + 3 * (code - 4534) })]);
    }
    list.push(['other', t('crs.other')]);
    return list;
  }

  function fillCrsSelect(select, withAuto) {
    var keep = select.value;
    clear(select);
    if (withAuto) select.appendChild(el('option', { value: '', text: t('batch.crs_auto') }));
    crsChoices().forEach(function (c) { select.appendChild(el('option', { value: c[0], text: c[1] })); });
    if (keep) select.value = keep;
    if (!select.value) select.selectedIndex = 0;
  }

  /** The CRS chosen in a select (``site-crs`` or ``batch-crs``), its free-text box for other codes. */
  function crsValue(id) {
    var value = $(id).value;
    if (value === 'other') {
      var other = $(id + '-other').value.trim();
      if (/^\d+$/.test(other)) other = 'EPSG:' + other;
      return other || null;
    }
    return value || null;
  }

  // ---------------------------------------------------------------- layers
  async function loadLayers() {
    var answer = await api('/api/layers?lang=' + state.lang);
    if (!answer.ok) {
      showGlobalError(errorOf(answer).message);
      return null;
    }
    showGlobalError('');
    var info = answer.data;
    state.info = info;
    state.kindLabels = {};
    state.classLabels = {};
    (info.layers || []).forEach(function (layer) {
      state.kindLabels[layer.kind] = layer.kind_label || layer.kind;
      state.classLabels[layer.kind] = layer.class_labels || {};
    });
    setText($('layerset-name'), info.name);
    var banner = $('illustrative-banner');
    banner.hidden = !info.illustrative;
    setText($('illustrative-notice'), info.illustrative ? (info.notice || '') : '');
    renderLayers(info);
    if (map) buildLegend();
    return info;
  }

  function renderLayers(info) {
    var body = $('layers-table').tBodies[0];
    clear(body);
    var anyConfidential = false;
    (info.layers || []).forEach(function (layer) {
      var kindCell = el('td', {}, [
        el('div', { className: 'rc-kind', text: layer.kind_label || layer.kind }),
        el('div', { className: 'rc-small', text: layer.kind + (layer.source ? ' · ' + layer.source : '') })
      ]);
      if (layer.confidential) {
        anyConfidential = true;
        kindCell.firstChild.appendChild(el('span', { className: 'rc-secret', text: t('layers.confidential') }));
      }
      var classes = layer.classes || {};
      var classText = Object.keys(classes).filter(function (c) { return c; }).map(function (c) {
        return classLabel(layer.kind, c) + ' ' + classes[c];
      }).join('；');
      body.appendChild(el('tr', { className: layer.confidential ? 'rc-confidential' : null, dataset: { kind: layer.kind } }, [
        kindCell,
        el('td', { className: 'rc-num', text: fmt(layer.features, 0) }),
        el('td', { text: classText || '—' })
      ]));
    });
    $('layers-confidential-note').hidden = !anyConfidential;
    var catalogs = info.catalogs || {};
    var names = Object.keys(catalogs).map(function (name) { return name + ' ' + catalogs[name]; });
    setText($('layers-catalogs'), names.length ? t('layers.catalogs', { list: names.join('，') }) : '');
    if (info.buffer_m !== undefined && info.buffer_m !== null && !$('buffer').dataset.touched) {
      $('buffer').value = info.buffer_m;
      $('batch-buffer').value = info.buffer_m;
    }
  }

  // ---------------------------------------------------------------- map
  var map = null;
  var baseControl = null;
  var legendControl = null;
  var zonesLayer = null;
  var resultLayer = null;
  var baseBlank = null;
  var baseOsm = null;
  var zonesSeq = 0;
  var zonesCanvas = null;
  var zonesSvg = null;

  function zoneStyle(kind, cls) {
    var classes = ZONE_STYLES[kind] || {};
    var style = classes[cls || ''] || classes[''] || DEFAULT_STYLE;
    return Object.assign({}, style);
  }

  function siteStyle(verdict, geomType) {
    var color = VERDICT_COLORS[verdict] || VERDICT_COLORS.error;
    if (/Point$/.test(geomType)) return { color: '#1c2833', weight: 1.5, fillColor: color, fillOpacity: 0.95, radius: 8 };
    if (/LineString$/.test(geomType)) return { color: color, weight: 5, opacity: 0.95 };
    return { color: color, weight: 3, fillColor: color, fillOpacity: 0.2 };
  }

  function initMap(center, bounds) {
    map = L.map('map', { zoomControl: true, preferCanvas: false, doubleClickZoom: false });
    map.createPane('zones').style.zIndex = 350;
    map.createPane('result').style.zIndex = 450;
    map.createPane('draw').style.zIndex = 460;
    zonesCanvas = L.canvas({ pane: 'zones', padding: 0.2 });
    zonesSvg = L.svg({ pane: 'zones', padding: 0.2 });
    map.attributionControl.setPrefix(false);
    baseBlank = L.layerGroup();
    baseOsm = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
      maxZoom: 19,
      attribution: '© OpenStreetMap contributors'
    });
    baseBlank.addTo(map);
    var zoom = bounds ? map.getBoundsZoom([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]) : 5;
    map.setView([center[1], center[0]], Math.max(3, Math.min(zoom, 16)));
    L.control.scale({ imperial: false }).addTo(map);
    buildBaseControl();
    buildLegend();
    resultLayer = L.layerGroup().addTo(map);
    draw.layer = L.layerGroup().addTo(map);
    map.on('moveend', debounce(loadZones, 250));
    map.on('click', onMapClick);
    map.on('dblclick', onMapDblClick);
    setTool(draw.mode);
    loadZones();
  }

  function buildBaseControl() {
    if (baseControl) map.removeControl(baseControl);
    var bases = {};
    bases[t('map.blank')] = baseBlank;
    bases[t('map.osm')] = baseOsm;
    baseControl = L.control.layers(bases, null, { position: 'topright', collapsed: true }).addTo(map);
  }

  function swatch(style) {
    var fill = style.fillColor || style.color;
    var css = { borderColor: style.color || '#999' };
    if (fill === HATCH) css.background = 'repeating-linear-gradient(45deg, #c0392b 0 2px, rgba(231,76,60,0.18) 2px 7px)';
    else {
      css.backgroundColor = fill;
      css.opacity = String(Math.min(1, 0.35 + (style.fillOpacity === undefined ? 0.3 : style.fillOpacity)));
    }
    if (style.dashArray) css.borderStyle = 'dashed';
    return el('span', { className: 'rc-swatch', style: css });
  }

  function buildLegend() {
    if (legendControl) map.removeControl(legendControl);
    legendControl = L.control({ position: 'bottomright' });
    legendControl.onAdd = function () {
      var box = el('div', { className: 'rc-legend', id: 'rc-legend' });
      var details = el('details', { open: true }, [el('summary', { text: t('map.legend') })]);
      box.appendChild(details);
      var layers = (state.info && state.info.layers) || [];
      var kinds = layers.filter(function (l) { return !l.confidential; }).map(function (l) { return l.kind; });
      DRAW_ORDER.slice().reverse().concat(kinds.filter(function (k) { return DRAW_ORDER.indexOf(k) < 0; }))
        .forEach(function (kind) {
          if (kinds.indexOf(kind) < 0) return;
          var layer = layers.filter(function (l) { return l.kind === kind; })[0];
          var classes = Object.keys(layer.classes || {}).filter(function (c) { return c; });
          if (!classes.length) {
            details.appendChild(el('div', { className: 'rc-legend-row' }, [swatch(zoneStyle(kind, '')), kindLabel(kind)]));
            return;
          }
          classes.forEach(function (cls) {
            details.appendChild(el('div', { className: 'rc-legend-row' }, [
              swatch(zoneStyle(kind, cls)), kindLabel(kind) + ' · ' + classLabel(kind, cls)]));
          });
        });
      details.appendChild(el('div', { className: 'rc-legend-row' }, [swatch(OVERLAP_STYLE), t('map.overlap')]));
      VERDICTS.forEach(function (v) {
        details.appendChild(el('div', { className: 'rc-legend-row' }, [
          el('span', { className: 'rc-swatch rc-round', style: { backgroundColor: VERDICT_COLORS[v], borderColor: '#1c2833' } }),
          t('map.site') + '：' + verdictLabel(v)]));
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legendControl.addTo(map);
  }

  function zoneTooltip(props) {
    var cls = props.zone_class ? classLabel(props.kind, props.zone_class) : '';
    return el('div', { className: 'rc-tip' }, [
      el('div', { className: 'rc-tip-kind', text: kindLabel(props.kind) + (cls ? ' · ' + cls : '') }),
      el('div', { className: 'rc-tip-name', text: props.zone_name || '' }),
      el('div', { className: 'rc-small', text: props.zone_id || '' })
    ]);
  }

  async function loadZones() {
    if (!map) return;
    var b = map.getBounds().pad(0.25);
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(',');
    var seq = ++zonesSeq;
    var answer = await api('/api/zones?bbox=' + bbox + '&limit=5000');
    if (seq !== zonesSeq) return;
    if (!answer.ok) {
      setText($('zones-note'), errorOf(answer).message);
      return;
    }
    var fc = answer.data || { features: [] };
    var rank = {};
    DRAW_ORDER.forEach(function (k, i) { rank[k] = i; });
    var features = (fc.features || []).slice().sort(function (a, b2) {
      var ra = rank[a.properties.kind], rb = rank[b2.properties.kind];
      return (ra === undefined ? -1 : ra) - (rb === undefined ? -1 : rb);
    });
    var layer = L.geoJSON({ type: 'FeatureCollection', features: features }, {
      pane: 'zones',
      style: function (f) {
        var style = zoneStyle(f.properties.kind, f.properties.zone_class);
        // thousands of zones draw fast on a canvas; the hatched red-line fill needs SVG
        style.renderer = style.fillColor === HATCH ? zonesSvg : zonesCanvas;
        return style;
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, Object.assign(zoneStyle(f.properties.kind, f.properties.zone_class), { radius: 5, pane: 'zones' }));
      },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(zoneTooltip(f.properties), { sticky: true, direction: 'top' });
      }
    });
    if (zonesLayer) map.removeLayer(zonesLayer);
    zonesLayer = layer.addTo(map);
    state.zonesCount = features.length;
    state.zonesTruncated = Boolean(fc.truncated);
    setText($('zones-note'), fc.truncated ? t('map.truncated', { n: features.length }) : t('map.zone_note'));
  }

  // ---------------------------------------------------------------- drawing
  /** A small draw tool: point, line or polygon from clicks; double-click or Finish ends. */
  var draw = { mode: 'point', vertices: [], done: false, layer: null, lastText: null };

  function setTool(mode) {
    draw.mode = mode;
    if (map) {
      // a double-click finishes a line or polygon; only while picking points does it zoom
      if (mode === 'point') map.doubleClickZoom.enable();
      else map.doubleClickZoom.disable();
    }
    draw.vertices = [];
    draw.done = false;
    document.querySelectorAll('.rc-drawbar [data-tool]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.tool === mode));
    });
    renderDraft();
    updateDrawHint();
  }

  function updateDrawHint(message) {
    var hint = $('draw-hint');
    if (hint) setText(hint, message || t('draw.hint.' + draw.mode));
  }

  function samePlace(a, b) {
    if (!map) return a.equals(b);
    return map.latLngToContainerPoint(a).distanceTo(map.latLngToContainerPoint(b)) < 4;
  }

  function onMapClick(ev) {
    var ll = ev.latlng.wrap();
    if (draw.mode === 'point') {
      draw.vertices = [ll];
      finishDraw();
      return;
    }
    if (draw.done) {
      draw.vertices = [];
      draw.done = false;
    }
    draw.vertices.push(ll);
    renderDraft();
    updateDrawHint();
  }

  function onMapDblClick(ev) {
    if (draw.mode === 'point' || draw.done) return;
    L.DomEvent.stop(ev);
    finishDraw();
  }

  /** Drop vertices that repeat the one before (the two clicks of a double-click). */
  function dedupe(vertices) {
    var out = [];
    vertices.forEach(function (v) {
      if (!out.length || !samePlace(out[out.length - 1], v)) out.push(v);
    });
    return out;
  }

  function coord(v) {
    return v.lng.toFixed(6) + ' ' + v.lat.toFixed(6);
  }

  function draftText() {
    var v = draw.vertices;
    if (draw.mode === 'point') return v[0].lng.toFixed(6) + ',' + v[0].lat.toFixed(6);
    if (draw.mode === 'line') return 'LINESTRING (' + v.map(coord).join(', ') + ')';
    return 'POLYGON ((' + v.concat([v[0]]).map(coord).join(', ') + '))';
  }

  function finishDraw() {
    draw.vertices = dedupe(draw.vertices);
    var need = draw.mode === 'line' ? 2 : draw.mode === 'polygon' ? 3 : 1;
    if (draw.vertices.length < need) {
      updateDrawHint(t(draw.mode === 'line' ? 'draw.need_line' : 'draw.need_polygon'));
      renderDraft();
      return false;
    }
    draw.done = true;
    var text = draftText();
    $('site-text').value = text;
    draw.lastText = text;
    $('site-crs').value = 'EPSG:4490';
    $('site-crs-other').hidden = true;
    clearErrors($('check-form'));
    renderDraft();
    updateDrawHint(t('draw.done'));
    return true;
  }

  function undoDraw() {
    draw.done = false;
    draw.vertices.pop();
    if (!draw.vertices.length && $('site-text').value === draw.lastText) $('site-text').value = '';
    renderDraft();
    updateDrawHint();
  }

  function clearDraw() {
    draw.vertices = [];
    draw.done = false;
    if ($('site-text').value === draw.lastText) $('site-text').value = '';
    draw.lastText = null;
    if (resultLayer) resultLayer.clearLayers();
    renderDraft();
    updateDrawHint();
  }

  function renderDraft() {
    if (!draw.layer) return;
    draw.layer.clearLayers();
    var v = draw.vertices;
    if (!v.length) return;
    var color = '#1f4e79';
    if (draw.mode === 'line' && v.length > 1) {
      L.polyline(v, { pane: 'draw', color: color, weight: 3, dashArray: draw.done ? null : '6 4', interactive: false }).addTo(draw.layer);
    }
    if (draw.mode === 'polygon' && v.length > 1) {
      var shape = v.length > 2 ? L.polygon(v, { pane: 'draw', color: color, weight: 2, fillOpacity: 0.15, dashArray: draw.done ? null : '6 4', interactive: false })
        : L.polyline(v, { pane: 'draw', color: color, weight: 2, dashArray: '6 4', interactive: false });
      shape.addTo(draw.layer);
    }
    v.forEach(function (p) {
      L.circleMarker(p, { pane: 'draw', radius: draw.mode === 'point' ? 7 : 4, color: color, weight: 2,
        fillColor: '#ffffff', fillOpacity: 1, interactive: false }).addTo(draw.layer);
    });
  }

  // ---------------------------------------------------------------- industry chooser
  var suggest = { items: [], active: -1, seq: 0 };

  function closeSuggest() {
    var list = $('industry-list');
    list.hidden = true;
    clear(list);
    suggest.items = [];
    suggest.active = -1;
    $('industry-input').setAttribute('aria-expanded', 'false');
    $('industry-input').removeAttribute('aria-activedescendant');
  }

  function renderSuggest() {
    var list = $('industry-list');
    clear(list);
    if (!suggest.items.length) {
      list.appendChild(el('li', { className: 'rc-suggest-empty', text: t('industry.none') }));
    }
    suggest.items.forEach(function (item, i) {
      var li = el('li', {
        id: 'industry-opt-' + i,
        role: 'option',
        className: i === suggest.active ? 'rc-active' : null,
        'aria-selected': String(i === suggest.active),
        dataset: { code: item.code }
      }, [el('span', { className: 'rc-code', text: item.code }), ' ', el('span', { text: item.name })]);
      li.addEventListener('mousedown', function (ev) {
        ev.preventDefault();
        choose(i);
      });
      list.appendChild(li);
    });
    list.hidden = false;
    var input = $('industry-input');
    input.setAttribute('aria-expanded', 'true');
    if (suggest.active >= 0) {
      input.setAttribute('aria-activedescendant', 'industry-opt-' + suggest.active);
      var active = $('industry-opt-' + suggest.active);
      if (active && active.scrollIntoView) active.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  async function searchIndustries() {
    var q = $('industry-input').value.trim();
    var seq = ++suggest.seq;
    if (!q) {
      closeSuggest();
      return;
    }
    var answer = await api('/api/industries?limit=20&q=' + encodeURIComponent(q));
    if (seq !== suggest.seq) return;
    if (!answer.ok) {
      closeSuggest();
      showError($('check-form'), 'industry', errorOf(answer).message);
      return;
    }
    suggest.items = (answer.data && answer.data.items) || [];
    suggest.active = suggest.items.length ? 0 : -1;
    renderSuggest();
  }

  var searchSoon = debounce(searchIndustries, 200);

  function choose(i) {
    var item = suggest.items[i];
    if (!item) return;
    if (!state.industries.some(function (x) { return x.code === item.code; })) {
      state.industries.push({ code: item.code, name: item.name });
    }
    $('industry-input').value = '';
    suggest.seq += 1;
    closeSuggest();
    renderChips();
    var slot = $('check-form').querySelector('[data-error-for="industry"]');
    setText(slot, '');
    $('industry-input').removeAttribute('aria-invalid');
  }

  function renderChips() {
    var box = $('industry-chosen');
    clear(box);
    state.industries.forEach(function (item, i) {
      box.appendChild(el('span', { className: 'rc-chip', dataset: { code: item.code } }, [
        el('span', { className: 'rc-code', text: item.code }), ' ', el('span', { text: item.name }),
        el('button', {
          type: 'button', className: 'rc-chip-x', 'aria-label': t('industry.remove') + ' ' + item.code, text: '×',
          onclick: function () {
            state.industries.splice(i, 1);
            renderChips();
          }
        })
      ]));
    });
  }

  function onIndustryKey(ev) {
    var open = !$('industry-list').hidden;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!open) {
        searchIndustries();
        return;
      }
      if (!suggest.items.length) return;
      var step = ev.key === 'ArrowDown' ? 1 : -1;
      suggest.active = (suggest.active + step + suggest.items.length) % suggest.items.length;
      renderSuggest();
    } else if (ev.key === 'Enter') {
      if (open && suggest.active >= 0) {
        ev.preventDefault();
        choose(suggest.active);
      }
    } else if (ev.key === 'Escape') {
      if (open) {
        ev.preventDefault();
        closeSuggest();
      }
    }
  }

  // ---------------------------------------------------------------- tags
  async function loadTags() {
    var answer = await api('/api/tags?lang=' + state.lang);
    var box = $('tags-box');
    var checked = {};
    box.querySelectorAll('input:checked').forEach(function (c) { checked[c.value] = true; });
    clear(box);
    if (!answer.ok) {
      showError($('check-form'), 'tags', errorOf(answer).message);
      return;
    }
    ((answer.data && answer.data.items) || []).forEach(function (item) {
      var id = 'tag-' + String(item.tag).replace(/[^\w-]/g, '_');
      box.appendChild(el('label', { className: 'rc-tag', for: id, title: item.tag }, [
        el('input', { type: 'checkbox', id: id, name: 'tags', value: item.tag, checked: Boolean(checked[item.tag]) }),
        ' ', el('span', { text: item.label || item.tag })
      ]));
    });
  }

  function chosenTags() {
    return Array.prototype.map.call($('tags-box').querySelectorAll('input:checked'), function (c) { return c.value; });
  }

  // ---------------------------------------------------------------- check
  /** Read the site box: "lon,lat" or WKT as text, GeoJSON as an object. Throws {field, message}. */
  function readSite() {
    var text = $('site-text').value.trim();
    if (!text) throw { field: 'site', message: t('site.empty') };
    if (text.charAt(0) !== '{') return text;
    var obj;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw { field: 'site', message: t('site.bad_json', { msg: e.message }) };
    }
    if (obj && obj.type === 'FeatureCollection') {
      var n = (obj.features || []).length;
      if (n !== 1) throw { field: 'site', message: t('site.many_features', { n: n }) };
      obj = obj.features[0];
    }
    if (obj && obj.type === 'Feature') obj = obj.geometry;
    return obj;
  }

  async function onCheck(ev) {
    ev.preventDefault();
    var form = $('check-form');
    clearErrors(form);
    closeSuggest();
    var site;
    try {
      site = readSite();
    } catch (e) {
      showError(form, e.field, e.message);
      return;
    }
    var industries = state.industries.map(function (x) { return x.code; });
    var typed = $('industry-input').value.trim();
    if (typed) industries.push(typed);
    var bufferText = $('buffer').value.trim();
    var body = {
      site: site,
      crs: crsValue('site-crs'),
      industry: industries.length === 0 ? null : industries.length === 1 ? industries[0] : industries,
      tags: chosenTags(),
      action: $('action').value || null,
      buffer: bufferText === '' ? null : Number(bufferText),
      lang: state.lang,
      site_id: 'site',
      name: ''
    };
    if ($('site-fix').checked) body.on_invalid = 'fix';
    var button = $('check-button');
    button.disabled = true;
    $('check-busy').hidden = false;
    try {
      var answer = await api('/api/check', { method: 'POST', json: body });
      if (!answer.ok) {
        var err = errorOf(answer);
        showError(form, err.field, err.message);
        // an earlier result must not be read as the answer to this request
        state.result = null;
        $('result').hidden = true;
        if (resultLayer) resultLayer.clearLayers();
        return;
      }
      state.result = answer.data;
      state.lastBody = body;
      renderResult(answer.data);
    } finally {
      button.disabled = false;
      $('check-busy').hidden = true;
    }
  }

  function measureText(f) {
    var parts = [];
    if (f.overlap_area_m2 !== null && f.overlap_area_m2 !== undefined) {
      var s = t('measure.area', { v: fmt(f.overlap_area_m2) });
      if (f.overlap_ratio !== null && f.overlap_ratio !== undefined) s += t('measure.ratio', { v: fmt(f.overlap_ratio * 100, 1) });
      parts.push(s);
    }
    if (f.overlap_length_m !== null && f.overlap_length_m !== undefined) parts.push(t('measure.length', { v: fmt(f.overlap_length_m) }));
    if (f.distance_m !== null && f.distance_m !== undefined && f.relation === 'nearby') {
      parts.push(t('measure.distance', { v: fmt(f.distance_m) }));
    }
    return parts.join('；') || '—';
  }

  function verdictChip(verdict, label) {
    return el('span', { className: 'rc-vchip v-' + (VERDICT_COLORS[verdict] ? verdict : 'error'), text: verdictLabel(verdict, label) });
  }

  /**
   * An anchor to an API file: HTML opens in a new tab, other files download.  With a token
   * (which a plain link cannot send) the click fetches the file with the header and saves it.
   */
  function fileLink(href, label, filename) {
    var html = /\.html?$/i.test(filename || href);
    var a = el('a', {
      href: href,
      text: label,
      download: html ? null : (filename || true),
      target: html ? '_blank' : null,
      rel: html ? 'noopener' : null,
      className: 'rc-file'
    });
    a.addEventListener('click', function (ev) {
      if (!state.token) return;
      ev.preventDefault();
      downloadWithToken(href, filename || href.split('/').pop());
    });
    return a;
  }

  async function downloadWithToken(href, filename) {
    for (;;) {
      var resp = await fetch(href, { headers: { Authorization: 'Bearer ' + state.token } });
      if (resp.status === 401) {
        await askToken(true);
        continue;
      }
      if (!resp.ok) {
        showGlobalError(t('error.status', { status: resp.status }) + '：' + href);
        return;
      }
      var url = URL.createObjectURL(await resp.blob());
      var a = el('a', { href: url, download: filename });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      return;
    }
  }

  function geomLabel(type) {
    var key = 'geom.' + String(type || '').replace(/^Multi/, '');
    var label = STRINGS[key] ? t(key) : String(type || '');
    return /^Multi/.test(type || '') ? t('geom.multi', { type: label }) : label;
  }

  function renderResult(r) {
    var site = r.site || {};
    var verdict = site.status === 'error' ? 'error' : site.verdict;
    var badge = $('verdict-badge');
    badge.className = 'rc-verdict v-' + (VERDICT_COLORS[verdict] ? verdict : 'error');
    badge.dataset.verdict = verdict || '';
    setText(badge, verdictLabel(verdict));

    var meta = [t('site.summary', { id: site.site_id || 'site', type: geomLabel(site.geom_type) })];
    if (site.site_area_m2) meta.push(t('site.area', { v: fmt(site.site_area_m2) }));
    if (site.site_length_m) meta.push(t('site.length', { v: fmt(site.site_length_m) }));
    if (site.note) meta.push(site.note);
    if (site.eia_category) meta.push(t('site.eia', { v: site.eia_label || site.eia_category, item: site.eia_item || '—' }));
    setText($('result-site'), meta.join('；'));
    setText($('result-notice'), r.illustrative ? (r.notice || t('illustrative')) : '');

    var links = $('result-links');
    clear(links);
    var l = r.links || {};
    if (l.report) links.appendChild(fileLink(l.report, t('links.report'), 'report.html'));
    if (l.docx) links.appendChild(fileLink(l.docx, t('links.docx'), 'report.docx'));
    if (l.map) links.appendChild(fileLink(l.map, t('links.map'), 'map.html'));

    var body = $('findings-table').tBodies[0];
    clear(body);
    var findings = r.findings || [];
    findings.forEach(function (f) {
      var zone = el('td', {}, [el('div', { text: f.zone_name || '' }), el('div', { className: 'rc-small', text: f.zone_id || '' })]);
      if (f.confidential) zone.appendChild(el('span', { className: 'rc-secret', title: t('confidential.no_geometry'), text: t('confidential') }));
      var ruleText = el('td', { className: 'rc-ruletext' }, [
        f.rule_title ? el('div', { className: 'rc-rule-title', text: f.rule_title }) : null,
        f.rule_text ? el('div', { text: f.rule_text }) : null,
        f.basis ? el('div', { className: 'rc-small', text: t('basis') + f.basis }) : null
      ]);
      body.appendChild(el('tr', { className: 'v-row-' + f.verdict, dataset: { kind: f.kind || '', zone: f.zone_id || '' } }, [
        el('td', { text: f.kind_label || kindLabel(f.kind) }),
        zone,
        el('td', { text: classLabel(f.kind, f.zone_class, f.class_label || f.zone_class_label) }),
        el('td', { text: f.relation_label || f.relation || '' }),
        el('td', { className: 'rc-num', text: measureText(f) }),
        el('td', {}, [verdictChip(f.verdict, f.verdict_label)]),
        el('td', { className: 'rc-rule', text: f.rule_id || '—', title: f.catalog || null }),
        ruleText
      ]));
    });
    $('findings-table').hidden = !findings.length;
    $('findings-none').hidden = findings.length > 0;

    renderAccessLists(r.access_lists || []);
    $('result').hidden = false;
    drawResult(r);
    // the verdict and findings come into view (the form may have scrolled them out of sight)
    var box = $('result');
    if (box.scrollIntoView) box.scrollIntoView({ block: 'start' });
  }

  function renderAccessLists(lists) {
    var box = $('access-lists');
    clear(box);
    lists.forEach(function (unit) {
      var clauses = unit.clauses || [];
      var matched = clauses.filter(function (c) { return c.matched; }).length;
      var section = el('section', { className: 'rc-access', dataset: { unit: unit.unit } }, [
        el('h3', { text: t('access.title', { unit: unit.unit }) }),
        el('p', { className: 'rc-hint', text: t('access.summary', { n: clauses.length, m: matched }) })
      ]);
      var list = el('ol', { className: 'rc-clauses' });
      clauses.forEach(function (c) {
        list.appendChild(el('li', { className: c.matched ? 'rc-matched' : null, dataset: { clause: c.clause_id || '' } }, [
          c.dimension ? el('span', { className: 'rc-dim', text: c.dimension }) : null,
          el('span', { className: 'rc-clause-text', text: c.text || '' }),
          c.matched ? el('span', { className: 'rc-applies', text: t('access.applies') }) : null,
          c.matched && c.verdict ? verdictChip(c.verdict) : null,
          c.clause_id ? el('span', { className: 'rc-small rc-clause-id', text: c.clause_id }) : null
        ]));
      });
      section.appendChild(list);
      box.appendChild(section);
    });
  }

  function drawResult(r) {
    if (!map) return;
    resultLayer.clearLayers();
    var site = r.site || {};
    var bounds = null;
    (r.findings || []).forEach(function (f) {
      if (!f.geometry) return;
      var overlap = L.geoJSON(f.geometry, {
        pane: 'result',
        style: function () {
          return /LineString/.test(f.geometry.type) ? { color: OVERLAP_STYLE.color, weight: 6, opacity: 0.85 } : Object.assign({}, OVERLAP_STYLE);
        },
        pointToLayer: function (g, latlng) {
          return L.circleMarker(latlng, Object.assign({}, OVERLAP_STYLE, { radius: 10, pane: 'result' }));
        }
      });
      overlap.bindTooltip(el('div', { className: 'rc-tip' }, [
        el('div', { className: 'rc-tip-kind', text: t('map.overlap') }),
        el('div', { text: (f.kind_label || kindLabel(f.kind)) + ' · ' + (f.zone_name || '') }),
        el('div', { className: 'rc-small', text: measureText(f) })
      ]), { sticky: true });
      overlap.addTo(resultLayer);
    });
    if (site.geometry) {
      var verdict = site.status === 'error' ? 'error' : site.verdict;
      var shape = L.geoJSON(site.geometry, {
        pane: 'result',
        style: function () { return siteStyle(verdict, site.geom_type || site.geometry.type); },
        pointToLayer: function (g, latlng) {
          return L.circleMarker(latlng, Object.assign(siteStyle(verdict, 'Point'), { pane: 'result' }));
        }
      });
      shape.bindTooltip(el('div', { className: 'rc-tip' }, [
        el('div', { className: 'rc-tip-kind', text: t('map.site') + ' ' + (site.site_id || '') }),
        el('div', { text: verdictLabel(verdict, site.verdict_label) })
      ]));
      shape.addTo(resultLayer);
      bounds = shape.getBounds();
      var buffer = Number($('buffer').value);
      if (site.geometry.type === 'Point' && buffer > 0) {
        var c = site.geometry.coordinates;
        var ring = L.circle([c[1], c[0]], { radius: buffer, pane: 'result', color: '#34495e', weight: 1.5,
          dashArray: '5 5', fill: false, interactive: false }).addTo(resultLayer);
        bounds = ring.getBounds();
      }
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 16, animate: false });
  }

  // ---------------------------------------------------------------- batch
  var pollTimer = null;

  async function onBatch(ev) {
    ev.preventDefault();
    var form = $('batch-form');
    clearErrors(form);
    var file = $('batch-file').files[0];
    if (!file) {
      showError(form, 'file', t('batch.no_file'));
      return;
    }
    var data = new FormData();
    data.append('file', file, file.name);
    ['id_field', 'name_field', 'industry_field', 'tags_field', 'action_field', 'encoding', 'crs', 'buffer',
      'industry', 'tags', 'action']
      .forEach(function (name) {
        var value = String(form.elements[name].value || '').trim();
        if (name === 'crs') value = crsValue('batch-crs') || '';
        if (value) data.append(name, value);
      });
    var formats = Array.prototype.map.call(form.querySelectorAll('input[name="formats"]:checked'), function (c) { return c.value; });
    if (!formats.length) {
      showError(form, 'formats', t('batch.no_format'));
      return;
    }
    data.append('formats', formats.join(','));
    data.append('lang', state.lang);
    var button = $('batch-button');
    button.disabled = true;
    if (pollTimer) clearTimeout(pollTimer);
    state.job = null;
    state.jobHistory = [];
    $('batch-status').hidden = false;
    $('batch-progress').removeAttribute('value');
    setText($('batch-progress-text'), t('batch.uploading'));
    clear($('batch-summary'));
    clear($('batch-files'));
    try {
      var answer = await api('/api/batch', { method: 'POST', body: data });
      if (!answer.ok) {
        var err = errorOf(answer);
        $('batch-status').hidden = true;
        showError(form, err.field, err.message);
        return;
      }
      state.job = answer.data;
      renderJob(answer.data);
      poll(answer.data.links && answer.data.links.self ? answer.data.links.self : '/api/jobs/' + answer.data.job_id, 0);
    } finally {
      button.disabled = false;
    }
  }

  function poll(url, n) {
    pollTimer = setTimeout(async function () {
      var answer = await api(url);
      if (!answer.ok) {
        setText($('batch-progress-text'), t('batch.lost', { msg: errorOf(answer).message }));
        return;
      }
      state.job = answer.data;
      renderJob(answer.data);
      if (answer.data.status === 'queued' || answer.data.status === 'running') poll(url, n + 1);
    }, Math.min(2000, 250 + 100 * n));
  }

  function renderJob(job) {
    var progressNow = job.progress || {};
    state.jobHistory.push([job.status, progressNow.done || 0, progressNow.total || 0]);
    var bar = $('batch-progress');
    var text = $('batch-progress-text');
    var status = $('batch-status');
    status.dataset.status = job.status || '';
    var progress = job.progress || { done: 0, total: 0 };
    if (progress.total > 0) {
      bar.max = progress.total;
      bar.value = progress.done;
    } else if (job.status === 'done') {
      bar.max = 1;
      bar.value = 1;
    } else bar.removeAttribute('value');
    if (job.status === 'queued') setText(text, t('batch.queued'));
    else if (job.status === 'running') {
      var key = job.stage === 'reading' ? 'batch.reading' : job.stage === 'writing' ? 'batch.writing' : 'batch.running';
      setText(text, t(key, { done: progress.done, total: progress.total || '?' }));
    }
    else if (job.status === 'done') setText(text, t('batch.done', { total: progress.total }));
    else if (job.status === 'error') setText(text, t('batch.error', { msg: job.error || '' }));

    var summary = $('batch-summary');
    clear(summary);
    if (job.counts) {
      var table = el('table', { className: 'rc-counts', id: 'batch-counts' });
      VERDICTS.forEach(function (v) {
        table.appendChild(el('tr', { dataset: { verdict: v } }, [
          el('td', {}, [verdictChip(v)]),
          el('td', { className: 'rc-num', text: String(job.counts[v] || 0) })
        ]));
      });
      summary.appendChild(table);
    }
    var files = $('batch-files');
    clear(files);
    var names = Object.keys(job.files || {});
    if (names.length) files.appendChild(el('li', { className: 'rc-files-head', text: t('batch.files') }));
    names.forEach(function (name) {
      files.appendChild(el('li', {}, [fileLink(job.files[name], name, name)]));
    });
  }

  // ---------------------------------------------------------------- tabs
  function selectTab(which) {
    ['single', 'batch'].forEach(function (name) {
      $('tab-' + name).setAttribute('aria-selected', String(name === which));
      $('panel-' + name).hidden = name !== which;
    });
  }

  // ---------------------------------------------------------------- start
  function readToken() {
    var params = new URLSearchParams(location.search);
    var fromUrl = params.get('token');
    if (fromUrl) {
      params.delete('token');
      var rest = params.toString();
      history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
      return fromUrl;
    }
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function hatchPattern() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.position = 'absolute';
    var defs = document.createElementNS(ns, 'defs');
    var pattern = document.createElementNS(ns, 'pattern');
    [['id', 'redline-hatch'], ['patternUnits', 'userSpaceOnUse'], ['width', '8'], ['height', '8'],
      ['patternTransform', 'rotate(45)']].forEach(function (a) { pattern.setAttribute(a[0], a[1]); });
    var rect = document.createElementNS(ns, 'rect');
    [['width', '8'], ['height', '8'], ['fill', '#e74c3c'], ['fill-opacity', '0.18']].forEach(function (a) { rect.setAttribute(a[0], a[1]); });
    var line = document.createElementNS(ns, 'line');
    [['x1', '0'], ['y1', '0'], ['x2', '0'], ['y2', '8'], ['stroke', '#c0392b'], ['stroke-width', '2.5']]
      .forEach(function (a) { line.setAttribute(a[0], a[1]); });
    pattern.appendChild(rect);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  async function start() {
    var lang = 'zh';
    try { lang = localStorage.getItem(LANG_KEY) || 'zh'; } catch (e) { /* ignore */ }
    var params = new URLSearchParams(location.search);
    if (params.get('lang')) lang = params.get('lang');
    state.lang = lang === 'en' ? 'en' : 'zh';
    setToken(readToken());
    hatchPattern();

    $('token-form').addEventListener('submit', onTokenSubmit);
    $('lang-zh').addEventListener('click', function () { setLang('zh'); });
    $('lang-en').addEventListener('click', function () { setLang('en'); });
    $('tab-single').addEventListener('click', function () { selectTab('single'); });
    $('tab-batch').addEventListener('click', function () { selectTab('batch'); });
    $('check-form').addEventListener('submit', onCheck);
    $('batch-form').addEventListener('submit', onBatch);
    $('buffer').addEventListener('input', function () { $('buffer').dataset.touched = '1'; });
    ['site-crs', 'batch-crs'].forEach(function (id) {
      $(id).addEventListener('change', function () { $(id + '-other').hidden = $(id).value !== 'other'; });
    });
    var industry = $('industry-input');
    industry.addEventListener('input', searchSoon);
    industry.addEventListener('keydown', onIndustryKey);
    industry.addEventListener('blur', function () {
      suggest.seq += 1; // an answer still on its way must not reopen the list
      setTimeout(closeSuggest, 150);
    });
    document.querySelectorAll('.rc-drawbar [data-tool]').forEach(function (b) {
      b.addEventListener('click', function () { setTool(b.dataset.tool); });
    });
    $('draw-finish').addEventListener('click', function () { if (draw.mode !== 'point') finishDraw(); });
    $('draw-undo').addEventListener('click', undoDraw);
    $('draw-clear').addEventListener('click', clearDraw);

    applyLang();
    setTool('point');
    var info = await loadLayers();
    initMap(info && info.center ? info.center : [105, 35], info && info.bounds);
    applyLang();
    await loadTags();
    document.body.dataset.ready = '1';
  }

  /** A small handle for tests and for debugging from the console. */
  window.rcPage = {
    state: state,
    get map() { return map; },
    get zonesLayer() { return zonesLayer; },
    get resultLayer() { return resultLayer; },
    draw: draw,
    styles: {
      VERDICT_COLORS: VERDICT_COLORS,
      OVERLAP_STYLE: OVERLAP_STYLE,
      ZONE_STYLES: ZONE_STYLES,
      DRAW_ORDER: DRAW_ORDER,
      CLASS_LABELS: CLASS_LABELS
    },
    /** The page position (x, y) of a lon/lat on the map, for clicking it. */
    pointOf: function (lon, lat) {
      var p = map.latLngToContainerPoint([lat, lon]);
      var container = map.getContainer();
      var box = container.getBoundingClientRect(); // the border box; Leaflet counts from inside the border
      return [box.left + container.clientLeft + p.x, box.top + container.clientTop + p.y];
    }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
