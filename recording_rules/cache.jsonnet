// The hit ratio of each cache, in Jsonnet: an example of recording rules written with
// aurum.libsonnet. The Infrastructure dashboard (Python) reads the series recorded here.
local aurum = import 'aurum.libsonnet';

local operations = aurum.metric('CACHE_OPERATIONS_TOTAL');
local rate(result) =
  'sum by (cache_type) (rate(%s{operation="get", result=~"%s"}[5m]))' % [operations, result];

{
  groups: [{
    name: 'aurum-records-cache',
    rules: [
      // A cache without a single hit has no hit series: its ratio is 0, not missing.
      aurum.recordingRule(
        aurum.record('CACHE_HIT_RATIO_BY_CACHE'),
        '(%s or %s * 0)\n/\n(%s > 0)' % [rate('hit'), rate('hit|miss'), rate('hit|miss')],
      ),
    ],
  }],
}
