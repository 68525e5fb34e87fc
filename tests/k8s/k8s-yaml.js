// k8s-yaml.js: read YAML/JSON manifests the way kubectl and the API server read them.
// Used by validate.js and kubectl-oracle.sh --normalise; needs js-yaml (tests/k8s/setup.sh).
//
// Kubernetes turns YAML into JSON with sigs.k8s.io/yaml, a fork of go-yaml v2, which follows
// YAML 1.1. js-yaml follows YAML 1.2, so on its own it would read some plain (unquoted)
// scalars differently from the API server. This schema makes js-yaml read them as go-yaml v2:
//   y Y yes Yes YES on On ON / n N no No NO off Off OFF   -> booleans (YAML 1.2: strings)
//   050 -> 40 (octal), 1_000 -> 1000, 0b101, 0o17, 0x1F   -> integers (Go strconv base 0)
//   2024-01-01 -> the string "2024-01-01"                  (no timestamp type, like go-yaml v2
//                                                            decoding into interface{})
//   <<: *anchor                                            -> merge keys
// So an emitter that writes `enabled: yes` or `name: no` unquoted is caught here as the API
// server would catch it (a boolean where a string is required).
'use strict';
const yaml = require('js-yaml');

const TRUE = ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'];
const FALSE = ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'];
const bool11 = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s) => TRUE.includes(s) || FALSE.includes(s),
  construct: (s) => TRUE.includes(s),
  predicate: (x) => typeof x === 'boolean',
  represent: { lowercase: (x) => (x ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

// Go's strconv.ParseInt(s, 0, 64) after go-yaml removed every "_".
const INT_GO = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const int11 = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s) => s !== null && INT_GO.test(s.replace(/_/g, '')),
  construct: (s) => {
    let t = s.replace(/_/g, ''), sign = 1;
    if (t[0] === '-' || t[0] === '+') { if (t[0] === '-') sign = -1; t = t.slice(1); }
    if (/^0[xX]/.test(t)) return sign * parseInt(t.slice(2), 16);
    if (/^0[bB]/.test(t)) return sign * parseInt(t.slice(2), 2);
    if (/^0[oO]/.test(t)) return sign * parseInt(t.slice(2), 8);
    if (/^0[0-7]/.test(t)) return sign * parseInt(t.slice(1), 8);
    return sign * parseInt(t, 10);
  },
  predicate: (x) => Number.isInteger(x),
  represent: { decimal: (x) => x.toString(10) },
  defaultStyle: 'decimal',
});

const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [bool11, int11, yaml.types.merge] });

// loadDocs(text): the documents of a YAML stream (JSON is YAML), empty documents dropped.
function loadDocs(text) {
  return yaml.loadAll(text, null, { schema: SCHEMA }).filter((d) => d !== null && d !== undefined);
}

module.exports = { loadDocs, SCHEMA };
