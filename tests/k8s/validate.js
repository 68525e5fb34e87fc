#!/usr/bin/env node
// validate.js FILE|- ...: offline validation of Kubernetes manifests, no cluster and no kubectl.
// Input: a multi-document YAML stream, a JSON object, or a JSON/YAML `v1 List` (each item is
// checked; Lists may nest). YAML is read as the API server reads it (k8s-yaml.js: YAML 1.1
// booleans and integers). Every object is checked with the kubernetes-models class of its
// apiVersion/kind (the OpenAPI schemas of Kubernetes, compiled to ajv validators), plus:
//  - apiVersion, kind and metadata.name must be present (non-empty strings);
//  - apiVersion/kind must be one of KINDS below: anything else (a typo, an old apiVersion such
//    as networking.k8s.io/v1beta1, a CRD) is INVALID, never skipped;
//  - namespaced kinds must have metadata.namespace; cluster-scoped kinds must not;
//  - metadata.name / metadata.namespace must follow the API server's name rules (the OpenAPI
//    schema has none): Namespace and metadata.namespace: RFC 1123 label; Service: RFC 1035
//    label; RBAC kinds: path segment (no "/" or "%", not "." or ".."); others: RFC 1123 subdomain.
// Output: one line per object, "KIND/NAME: valid" or "KIND/NAME: INVALID: reason" (a missing
// kind or name shows as "?"). Exit 0 only when every object is valid and at least one object
// was read; 1 otherwise; 64 usage; 69 when the npm packages are not installed (run setup.sh).
'use strict';
const fs = require('fs');

let loadDocs, models;
try {
  ({ loadDocs } = require('./k8s-yaml.js'));
  models = {
    v1: require('kubernetes-models/v1'),
    apps: require('kubernetes-models/apps/v1'),
    batch: require('kubernetes-models/batch/v1'),
    policy: require('kubernetes-models/policy/v1'),
    rbac: require('kubernetes-models/rbac.authorization.k8s.io/v1'),
    networking: require('kubernetes-models/networking.k8s.io/v1'),
  };
} catch (e) {
  console.error(`validate.js: npm packages missing (${e.message.split('\n')[0]}); run tests/k8s/setup.sh`);
  process.exit(69);
}

// apiVersion/kind -> [module, namespaced, name rule]
const NS = true, CLUSTER = false;
const KINDS = {
  'v1/Namespace': ['v1', CLUSTER, 'label'],
  'v1/ResourceQuota': ['v1', NS, 'subdomain'],
  'v1/LimitRange': ['v1', NS, 'subdomain'],
  'v1/ServiceAccount': ['v1', NS, 'subdomain'],
  'v1/ConfigMap': ['v1', NS, 'subdomain'],
  'v1/Secret': ['v1', NS, 'subdomain'],
  'v1/Service': ['v1', NS, 'label1035'],
  'v1/Pod': ['v1', NS, 'subdomain'],
  'v1/PersistentVolumeClaim': ['v1', NS, 'subdomain'],
  'rbac.authorization.k8s.io/v1/Role': ['rbac', NS, 'path'],
  'rbac.authorization.k8s.io/v1/RoleBinding': ['rbac', NS, 'path'],
  'rbac.authorization.k8s.io/v1/ClusterRole': ['rbac', CLUSTER, 'path'],
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ['rbac', CLUSTER, 'path'],
  'networking.k8s.io/v1/NetworkPolicy': ['networking', NS, 'subdomain'],
  'networking.k8s.io/v1/Ingress': ['networking', NS, 'subdomain'],
  'apps/v1/Deployment': ['apps', NS, 'subdomain'],
  'apps/v1/StatefulSet': ['apps', NS, 'subdomain'],
  'apps/v1/DaemonSet': ['apps', NS, 'subdomain'],
  'batch/v1/Job': ['batch', NS, 'subdomain'],
  'batch/v1/CronJob': ['batch', NS, 'subdomain'],
  'policy/v1/PodDisruptionBudget': ['policy', NS, 'subdomain'],
};

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/; // RFC 1123 label, <= 63
const LABEL1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/; // RFC 1035 label, <= 63
const NAME_RULES = {
  label: (n) => (n.length <= 63 && LABEL.test(n)) || 'must be an RFC 1123 label (lower-case alphanumerics and "-", at most 63)',
  label1035: (n) => (n.length <= 63 && LABEL1035.test(n)) || 'must be an RFC 1035 label (start with a letter, lower-case alphanumerics and "-", at most 63)',
  subdomain: (n) => (n.length <= 253 && n.split('.').every((p) => LABEL.test(p))) || 'must be an RFC 1123 subdomain (lower-case alphanumerics, "-" and ".", at most 253)',
  path: (n) => (n !== '.' && n !== '..' && !/[/%]/.test(n)) || 'must not be "." or ".." nor contain "/" or "%"',
};

const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const str = (x) => typeof x === 'string' && x !== '';

// ajv's message for a bad quantity (int-or-string oneOf) lists every branch; keep the telling one.
function tidy(msg) {
  const parts = msg.split(/, (?=data[/ ]|data$)/);
  const keep = parts.filter((p) => !/must match exactly one schema in "oneOf"$/.test(p) &&
    !(/ must be (number|string)$/.test(p) && parts.some((q) => q.startsWith(p.replace(/ must be .*/, ' must match format')))));
  return (keep.length ? keep : parts).join(', ');
}

let objects = 0, bad = 0;
function report(label, reasons) {
  objects++;
  if (reasons.length) { bad++; console.log(`${label}: INVALID: ${reasons.join('; ').replace(/\s*\n\s*/g, ' | ')}`); }
  else console.log(`${label}: valid`);
}

function check(doc, where) {
  if (!isObj(doc)) return report(`?/?`, [`${where}: not an object (${Array.isArray(doc) ? 'array' : typeof doc})`]);
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const label = `${str(doc.kind) ? doc.kind : '?'}/${str(meta.name) ? meta.name : '?'}`;
  const why = [];
  if (!str(doc.apiVersion)) why.push('missing apiVersion');
  if (!str(doc.kind)) why.push('missing kind');
  if (doc.kind === 'List' && (doc.apiVersion === 'v1' || doc.apiVersion === undefined)) {
    if (why.length > 1 || !Array.isArray(doc.items)) return report(label, [...why, 'List without an items array']);
    if (why.length) return report(label, why);
    doc.items.forEach((item, i) => check(item, `${where} items[${i}]`));
    return;
  }
  if (!isObj(doc.metadata)) why.push('missing metadata');
  else if (!str(meta.name)) why.push('missing metadata.name');
  if (why.some((w) => /apiVersion|kind/.test(w))) return report(label, why);

  const entry = KINDS[`${doc.apiVersion}/${doc.kind}`];
  if (!entry) return report(label, [...why, `unknown kind ${doc.apiVersion}/${doc.kind} (not in validate.js KINDS)`]);
  const [mod, namespaced, rule] = entry;
  if (str(meta.name)) { const r = NAME_RULES[rule](meta.name); if (r !== true) why.push(`metadata.name "${meta.name}" ${r}`); }
  if (namespaced && !str(meta.namespace)) why.push(`missing metadata.namespace (${doc.kind} is namespaced)`);
  if (!namespaced && meta.namespace !== undefined) why.push(`metadata.namespace set on cluster-scoped ${doc.kind}`);
  if (namespaced && str(meta.namespace)) { const r = NAME_RULES.label(meta.namespace); if (r !== true) why.push(`metadata.namespace "${meta.namespace}" ${r}`); }
  try {
    new models[mod][doc.kind](doc).validate();
  } catch (e) {
    why.push(`schema: ${tidy(e.message)}`);
  }
  report(label, why);
}

const args = process.argv.slice(2);
if (!args.length || args.some((a) => a.startsWith('-') && a !== '-')) {
  console.error('usage: validate.js FILE|- ...'); process.exit(64);
}
for (const f of args) {
  let docs;
  try {
    docs = loadDocs(fs.readFileSync(f === '-' ? 0 : f, 'utf8'));
  } catch (e) {
    bad++; console.log(`${f === '-' ? 'stdin' : f}: INVALID: ${e.name === 'YAMLException' ? 'YAML: ' : ''}${e.message.split('\n')[0]}`);
    continue;
  }
  docs.forEach((d, i) => check(d, `${f === '-' ? 'stdin' : f} document ${i + 1}`));
}
if (!objects && !bad) console.log('INVALID: no objects read');
process.exit(bad || !objects ? 1 : 0);
