// Helpers for Aurum declarations written in Jsonnet: `local aurum = import 'aurum.libsonnet';`
//
// The build passes the catalog and the SLOs as external variables; this library reads them, so
// Jsonnet refers to metrics by the same names as Python (aurum.metric('HTTP_REQUESTS_TOTAL')) and an
// unknown name fails the build instead of rendering a query that can never match.
local catalog = std.extVar('catalog');

{
  catalog:: catalog,
  slos:: std.extVar('slos'),

  // The series name of catalog metric `key`; `part` picks a histogram's bucket, count or sum.
  metric(key, part=null)::
    assert std.objectHas(catalog.metrics, key) : 'unknown catalog metric %s' % key;
    local metric = catalog.metrics[key];
    local name = if part == null then metric.name else '%s_%s' % [metric.name, part];
    assert std.member(metric.series, name) : '%s has no series %s' % [metric.name, name];
    name,

  // A recorded series of the output contract, such as SLO_CURRENT_BURN_RATE.
  record(key)::
    assert std.objectHas(catalog.records, key) : 'unknown recorded series %s' % key;
    catalog.records[key],

  // The data source every panel and query uses: the dashboard's `datasource` variable.
  datasource:: catalog.conventions.datasource,

  target(expr, legend='', instant=false, table=false):: {
    datasource: $.datasource,
    expr: expr,
    legendFormat: legend,
    instant: instant,
    format: if table then 'table' else 'time_series',
  },

  // Threshold steps: steps('green', [[0.9, 'red']]) is green below 0.9 and red from it on.
  steps(base, above=[]):: {
    mode: 'absolute',
    steps: [{ color: base }] + [{ color: step[1], value: step[0] } for step in above],
  },

  // A panel without position: grid() places it. Queries get refIds A, B, C...
  panel(type, title, targets, unit, thresholds=$.steps('green'), description='', options={}):: {
    type: type,
    title: title,
    description: description,
    datasource: $.datasource,
    targets: [targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1)],
    fieldConfig: { defaults: { unit: unit, thresholds: thresholds }, overrides: [] },
    options: options,
  },

  // Rows of [panel, width] pairs laid out on Grafana's 24-column grid, top to bottom and left to
  // right, wrapping when a row is full; panels are numbered from 1, so they can never overlap.
  grid(rows)::
    local place(done, row) =
      local height = std.get(row, 'height', 8);
      local header = if std.objectHas(row, 'title') then [{
        type: 'row',
        title: row.title,
        collapsed: false,
        panels: [],
        id: done.id,
        gridPos: { x: 0, y: done.y, w: 24, h: 1 },
      }] else [];
      local fill(state, item) =
        local wraps = state.x + item[1] > 24;
        local x = if wraps then 0 else state.x;
        local y = if wraps then state.y + height else state.y;
        state {
          x: x + item[1],
          y: y,
          id: state.id + 1,
          panels: state.panels + [item[0] { id: state.id, gridPos: { x: x, y: y, w: item[1], h: height } }],
        };
      local laid = std.foldl(fill, row.panels, {
        x: 0,
        y: done.y + std.length(header),
        id: done.id + std.length(header),
        panels: [],
      });
      { y: laid.y + height, id: laid.id, panels: done.panels + header + laid.panels };
    std.foldl(place, rows, { y: 0, id: 1, panels: [] }).panels,

  // A link in the dashboard's header to another dashboard, keeping the time range.
  link(title, uid, query=''):: {
    title: title,
    type: 'link',
    url: '/d/%s%s' % [uid, if query == '' then '' else '?' + query],
    icon: 'dashboard',
    keepTime: true,
    includeVars: false,
    asDropdown: false,
    targetBlank: false,
    tags: [],
    tooltip: '',
  },

  dashboard(uid, title, tags, rows, description='', links=[], variables=[], from='now-6h'):: {
    uid: uid,
    title: title,
    tags: tags,
    description: description,
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    timezone: 'browser',
    refresh: '1m',
    time: { from: from, to: 'now' },
    annotations: { list: [] },
    links: links,
    templating: {
      list: [{
        name: catalog.conventions.datasource_variable,
        label: 'Data source',
        type: catalog.conventions.datasource_variable_type,
        query: catalog.conventions.datasource_type,
        current: {},
        hide: 0,
        refresh: 1,
      }] + variables,
    },
    panels: $.grid(rows),
  },

  // An alerting rule in Prometheus' format; `hold` is its `for`.
  alert(name, expr, severity, summary, description, runbook_url, hold='5m', labels={}):: {
    alert: name,
    expr: expr,
    'for': hold,
    labels: labels { severity: severity },
    annotations: { summary: summary, description: description, runbook_url: runbook_url },
  },

  recordingRule(record, expr, labels={}):: {
    record: record,
    expr: expr,
    [if labels != {} then 'labels']: labels,
  },
}
