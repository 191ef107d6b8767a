// Data Freshness, in Jsonnet: how old is each dataset the platform serves? An example of a
// dashboard written with aurum.libsonnet, reading the catalog and the SLO declarations.
local aurum = import 'aurum.libsonnet';

local updated = aurum.metric('DATA_LAST_UPDATED_TIMESTAMP_SECONDS');
local freshness = [slo for slo in aurum.slos if slo.sli.kind == 'freshness'];
// The strictest maximum age among the freshness SLOs (a day when there is none).
local maxAge = std.foldl(function(age, slo) std.min(age, std.parseInt(slo.sli.max_age_seconds)), freshness, 86400);
local ageSteps = aurum.steps('green', [[maxAge, 'red']]);

local age = aurum.panel(
  'timeseries',
  'Age of each dataset',
  [aurum.target('time() - max by (dataset) (%s)' % updated, '{{dataset}}')],
  's',
  ageSteps,
  description='Seconds since each dataset was last refreshed; the line is the freshness SLO maximum age.',
) { fieldConfig+: { defaults+: { custom: { thresholdsStyle: { mode: 'line' } } } } };

local oldest = aurum.panel(
  'stat',
  'Oldest dataset',
  [aurum.target('time() - min(%s)' % updated)],
  's',
  ageSteps,
  options={ reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, graphMode: 'none' },
);

local refreshed = aurum.panel(
  'table',
  'Last refresh by dataset',
  [aurum.target('max by (dataset) (%s) * 1000' % updated, instant=true, table=true)],
  'dateTimeAsIso',
) { transformations: [{ id: 'organize', options: { excludeByName: { Time: true } } }] };

{
  folder: { uid: 'aurum-platform', title: 'Aurum Platform' },
  dashboards: [
    aurum.dashboard(
      uid='aurum-data-freshness',
      title='Data Freshness',
      tags=['aurum', 'data', 'jsonnet'],
      description='How long ago was each dataset refreshed, against the freshness SLOs?',
      links=[aurum.link('SLO %s' % slo.name, 'aurum-slo-detail', 'var-slo=' + slo.name) for slo in freshness],
      rows=[
        { title: 'Freshness', height: 8, panels: [[age, 16], [oldest, 8]] },
        { title: 'Datasets', height: 8, panels: [[refreshed, 24]] },
      ],
    ),
  ],
}
