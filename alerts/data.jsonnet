// Alerts on the freshness of each dataset, in Jsonnet: an example of a rule file written with
// aurum.libsonnet, with its promtool tests beside it.
local aurum = import 'aurum.libsonnet';

local updated = aurum.metric('DATA_LAST_UPDATED_TIMESTAMP_SECONDS');

local stale = aurum.alert(
  name='DatasetStale',
  expr='time() - max by (dataset) (%s) > 3 * 3600' % updated,
  hold='10m',
  severity='warning',
  summary='A dataset has not been refreshed for more than three hours.',
  description='Dataset {{ $labels.dataset }} was last refreshed {{ $value | humanizeDuration }} ago.',
  runbook_url='https://runbooks.aurum.internal/alerts/dataset-stale',
);

{
  groups: [{ name: 'aurum-alerts-data', rules: [stale] }],
  tests: [
    {
      name: 'DatasetStale: one dataset stops being refreshed',
      interval: '1m',
      input_series: [
        { series: '%s{dataset="curves"}' % updated, values: '0x200' },  // refreshed at 0s, never again
        { series: '%s{dataset="scenarios"}' % updated, values: '0+60x200' },  // refreshed every minute
      ],
      alert_rule_test: [
        { eval_time: '3h', alertname: 'DatasetStale', exp_alerts: [] },
        {
          eval_time: '3h15m',
          alertname: 'DatasetStale',
          exp_alerts: [{
            exp_labels: stale.labels { dataset: 'curves' },
            exp_annotations: stale.annotations {
              description: 'Dataset curves was last refreshed 3h 15m 0s ago.',
            },
          }],
        },
      ],
    },
    {
      name: 'DatasetStale: every dataset is refreshed',
      interval: '1m',
      input_series: [{ series: '%s{dataset="curves"}' % updated, values: '0+60x200' }],
      alert_rule_test: [{ eval_time: '3h15m', alertname: 'DatasetStale', exp_alerts: [] }],
    },
  ],
}
