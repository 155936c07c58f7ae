#!/usr/bin/env bash
# The package as a user gets it: build, `npm pack`, check what ships, install
# the tarball into fresh cdk8s TypeScript apps outside the repository (once
# with cdk8s-plus-27, once with cdk8s-plus-33), type-check and synthesize a
# mesh with the constructs, run the `istio-mtls` bin and the cdk8s-cli plugin
# from the installed package, and check the runtime dependencies.
#
#   bash scripts/test-package.sh            both cdk8s-plus lines
#   bash scripts/test-package.sh 33         one line
#
# Writes only to lib/ (the build) and to a temp dir it removes (set
# KEEP_WORK=1 to keep it). npm's cache goes to the temp dir too, unless
# npm_config_cache is set. Needs the npm registry.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -gt 0 ]]; then PLUS_LINES=("$@"); else PLUS_LINES=(27 33); fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/istio-mtls-package.XXXXXX")"
cleanup() {
  if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# Child tools (tsx, cdk8s-cli) write temp files: keep them in the work dir too.
mkdir "$WORK/tmp" && export TMPDIR="$WORK/tmp"
export npm_config_cache="${npm_config_cache:-$WORK/npm-cache}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
START=$SECONDS

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - START))"; }
fail() { printf 'test-package: FAIL: %s\n' "$1" >&2; exit 1; }

# --- build and pack -----------------------------------------------------------
step "build lib/"
cd "$REPO"
rm -rf lib
npx --no-install tsc -p tsconfig.json
[[ -f lib/src/index.js && -f lib/src/index.d.ts && -f lib/src/cli/main.js && -f lib/src/cdk8s/validation-plugin.js ]] \
  || fail "the build did not produce lib/src/{index,cli/main,cdk8s/validation-plugin}.js"

step "npm pack"
PACK_JSON="$(npm pack --ignore-scripts --json --pack-destination "$WORK" 2>/dev/null)"
TARBALL="$WORK/$(node -e 'const p = JSON.parse(process.argv[1])[0]; process.stdout.write(p.filename)' "$PACK_JSON")"
node -e '
  const p = JSON.parse(process.argv[1])[0];
  console.log(`${p.filename}: ${p.entryCount} files, ${(p.size / 1024).toFixed(0)} kB packed, ${(p.unpackedSize / 1024).toFixed(0)} kB unpacked`);
' "$PACK_JSON"

step "tarball contents"
tar -tzf "$TARBALL" | sed 's|^package/||' | sort > "$WORK/files.txt"
# Only the build output (JS and declarations), the bin, and the top-level docs ship.
UNEXPECTED="$(grep -Ev '^(lib/.+\.(js|d\.ts)|bin/istio-mtls|package\.json|README\.md|LICENSE|RULES\.md)$' "$WORK/files.txt" || true)"
[[ -z "$UNEXPECTED" ]] || fail "files that should not ship:
$UNEXPECTED
(adjust npmIgnoreOptions in .projenrc.ts)"
for required in package.json README.md LICENSE RULES.md bin/istio-mtls lib/src/index.js lib/src/index.d.ts lib/src/engine.js lib/src/engine.d.ts \
  lib/src/cli/main.js lib/src/cdk8s/validation-plugin.js lib/src/cdk8s/validation-plugin.d.ts; do
  grep -qx "$required" "$WORK/files.txt" || fail "$required is missing from the tarball"
done
mkdir "$WORK/unpacked" && tar -xzf "$TARBALL" -C "$WORK/unpacked"
# No path of the build machine (source maps, generated comments) may leak into the package.
if grep -rlF "$REPO" "$WORK/unpacked" >/dev/null; then fail "the tarball mentions the build directory: $(grep -rlF "$REPO" "$WORK/unpacked" | head -3)"; fi
echo "$(wc -l < "$WORK/files.txt") files, all under lib/ (js, d.ts), bin/, and the top-level docs"

# --- consumer apps -----------------------------------------------------------
write_app() {
  local dir="$1" plus="$2"
  mkdir -p "$dir"
  cat > "$dir/package.json" <<EOF
{ "name": "consumer-plus-$plus", "version": "1.0.0", "private": true }
EOF
  cat > "$dir/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022", "module": "commonjs", "lib": ["es2022"], "types": ["node"],
    "strict": true, "esModuleInterop": true, "noEmit": true, "skipLibCheck": false
  },
  "include": ["main.ts", "main-bad.ts", "engine-types.ts"]
}
EOF
  cat > "$dir/main.ts" <<EOF
import { App, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-$plus';
import {
  AccessAction, Identity, MeshStrictMtls, MtlsAlerts, MtlsMode, NamespaceMtls, ServiceAccess, WorkloadMtls, WorkloadSelector,
} from 'cdk8s-istio-mtls';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
const chart = new Chart(app, 'mesh');
new MeshStrictMtls(chart, 'Mesh');
new NamespaceMtls(chart, 'Shop', { namespace: 'shop' });

const api = new kplus.Deployment(chart, 'Api', {
  metadata: { namespace: 'shop', name: 'api' },
  containers: [{ image: 'example/api:1.0', portNumber: 8080 }],
});
new WorkloadMtls(chart, 'ApiMtls', {
  namespace: 'shop',
  name: 'api-strict',
  selector: WorkloadSelector.fromWorkload(api),
  mode: MtlsMode.STRICT,
});
new ServiceAccess(chart, 'ApiAccess', {
  namespace: 'shop',
  name: 'api-callers',
  selector: WorkloadSelector.fromWorkload(api),
  action: AccessAction.ALLOW,
  rules: [{ identities: [Identity.serviceAccount('shop', 'web')], methods: ['GET'] }],
});
new MtlsAlerts(chart, 'Alerts', { namespace: 'monitoring', plaintextTraffic: { namespaces: ['shop'] } });
app.synth();
EOF
  cat > "$dir/main-bad.ts" <<'EOF'
import { ApiObject, App, Chart } from 'cdk8s';

const app = new App();
new ApiObject(new Chart(app, 'broken'), 'Typo', {
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'legacy' },
  spec: { mtls: { mode: 'STRIC' } },
});
app.synth();
EOF
  cat > "$dir/engine.js" <<'EOF'
// The engine subpath, from the installed package (compiled JavaScript, no loader), without cdk8s.
const fs = require('fs');
const { buildMeshModel, explainMesh, lint, parseManifests } = require('cdk8s-istio-mtls/engine');
const { manifests } = parseManifests(fs.readFileSync('bad.yaml'));
const codes = lint(manifests.map((m) => ({ manifest: m.manifest, file: 'bad.yaml', locate: m.locate }))).map((f) => f.code);
if (!codes.includes('IMV204')) { console.error(`lint found ${codes.join(', ') || 'nothing'}`); process.exit(1); }
const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\/](cdk8s|constructs)[\\/]/.test(k));
if (loaded.length > 0) { console.error(`the engine loaded ${loaded[0]}`); process.exit(1); }
const explained = explainMesh(buildMeshModel(manifests.map((m) => m.manifest)));
console.log(`cdk8s-istio-mtls/engine: lint reports IMV204 on bad.yaml, explain lists ${explained.workloads.length} workloads, cdk8s not loaded`);
EOF
  cat > "$dir/engine-types.ts" <<'EOF'
import { lint, LintInput, LocatedFinding } from 'cdk8s-istio-mtls/engine';

const inputs: LintInput[] = [];
const findings: LocatedFinding[] = lint(inputs);
export const count: number = findings.length;
EOF
  cat > "$dir/bad.yaml" <<'EOF'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRIC
EOF
  cat > "$dir/cdk8s.yaml" <<'EOF'
language: typescript
app: npx tsx main.ts
validations:
  - package: ./node_modules/cdk8s-istio-mtls/lib/src/cdk8s/validation-plugin.js
    class: IstioMtlsValidation
    version: 0.0.0
    properties:
      failOn: error
EOF
}

expect_exit() {
  local want="$1"; shift
  local got=0
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || got=$?
  if [[ "$got" != "$want" ]]; then cat "$WORK/out.txt" "$WORK/err.txt" >&2; fail "'$*' exited $got, expected $want"; fi
}

check_runtime_deps() {
  local dir="$1"
  node - "$dir" <<'EOF'
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const dir = process.argv[2];
const tree = JSON.parse(execFileSync('npm', ['ls', '--all', '--omit=dev', '--json', '--long'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
// npm lists a package's dependencies at one occurrence only: index the full nodes by install path.
const full = new Map();
const index = (node) => {
  for (const child of Object.values(node.dependencies ?? {})) {
    if (child.path && (child.dependencies || !full.has(child.path))) full.set(child.path, child);
    index(child);
  }
};
index(tree);
const ours = tree.dependencies['cdk8s-istio-mtls'];
if (!ours) throw new Error('cdk8s-istio-mtls is not installed');
const peers = new Set(Object.keys(ours.peerDependencies ?? {}));
const packages = new Map();
const lines = [];
const walk = (name, node, depth, stack) => {
  const n = full.get(node.path) ?? node;
  const peer = depth === 1 && peers.has(name);
  const repeat = packages.has(n.path);
  lines.push(`${'  '.repeat(depth)}${name}@${n.version}${peer ? ' (peer: the app\'s own cdk8s/constructs)' : ''}${repeat && !peer ? ' (see above)' : ''}`);
  packages.set(n.path, `${name}@${n.version}`);
  if (peer || repeat || stack.includes(n.path)) return;
  for (const [child, c] of Object.entries(n.dependencies ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))) walk(child, c, depth + 1, [...stack, n.path]);
};
walk('cdk8s-istio-mtls', ours, 0, []);
console.log('runtime dependency tree of cdk8s-istio-mtls (npm ls --all --omit=dev):');
console.log(lines.join('\n'));
// npm runs preinstall/install/postinstall scripts, and node-gyp for a binding.gyp: none may exist.
const withScripts = [];
for (const [pkgPath, id] of packages) {
  if (id.startsWith('cdk8s-istio-mtls@')) continue;
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgPath, 'package.json'), 'utf8'));
  const scripts = ['preinstall', 'install', 'postinstall'].filter((s) => pkg.scripts?.[s]);
  if (scripts.length > 0 || pkg.gypfile || fs.existsSync(path.join(pkgPath, 'binding.gyp'))) withScripts.push(`${id} (${scripts.join(', ') || 'binding.gyp'})`);
}
if (withScripts.length > 0) throw new Error(`runtime dependencies with install scripts: ${withScripts.join(', ')}`);
console.log(`${packages.size - 1} runtime packages checked (peers included), none with install scripts`);
EOF
}

for plus in "${PLUS_LINES[@]}"; do
  APP="$WORK/app-plus-$plus"
  step "consumer app with cdk8s-plus-$plus: install"
  write_app "$APP" "$plus"
  cd "$APP"
  npm install --no-audit --no-fund --loglevel=error \
    "cdk8s@^2" "constructs@^10" "cdk8s-plus-$plus@^2" "$TARBALL" \
    "typescript@~5.9" "tsx@^4" "@types/node@^20" "cdk8s-cli@^2" > "$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log" >&2; fail "npm install failed"; }
  node -e 'for (const p of ["cdk8s", "cdk8s-plus-'"$plus"'", "cdk8s-istio-mtls"]) console.log(`  ${p}@${require(`${p}/package.json`).version}`)'

  step "cdk8s-plus-$plus: type-check (tsc --noEmit, skipLibCheck false: our .d.ts are checked too)"
  npx --no-install tsc -p tsconfig.json

  step "cdk8s-plus-$plus: cdk8s synth (the app, then our plugin from the installed package)"
  expect_exit 0 npx --no-install cdk8s synth --no-check-upgrade --plugins-dir "$WORK/cdk8s-plugins"
  grep -q 'Validations ended succesfully' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not run"; }
  OUT="dist/mesh.k8s.yaml"
  [[ -f "$OUT" ]] || fail "synth wrote no $OUT"
  for kind in PeerAuthentication AuthorizationPolicy PrometheusRule Deployment; do
    grep -q "^kind: $kind\$" "$OUT" || fail "$OUT has no $kind"
  done
  [[ "$(grep -c '^kind: PeerAuthentication$' "$OUT")" == 3 ]] || fail "$OUT should hold 3 PeerAuthentications (mesh, namespace, workload)"
  # The workload policy selects the cdk8s-plus Deployment's pods: explain says it decides their mode.
  expect_exit 0 npx --no-install istio-mtls explain --format json "$OUT"
  node -e '
    const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const api = e.workloads.find((w) => w.namespace === "shop" && w.name === "api");
    if (!api || api.mode !== "STRICT" || api.decidedBy?.name !== "api-strict") {
      console.error(JSON.stringify(e.workloads, null, 2)); process.exit(1);
    }
    console.log("explain: shop/api is STRICT, decided by PeerAuthentication shop/api-strict");
  ' "$WORK/out.txt"

  step "cdk8s-plus-$plus: the istio-mtls bin"
  # The files, not dist/: cdk8s also writes dist/construct-metadata.json there when validations are configured.
  expect_exit 0 npx --no-install istio-mtls lint "$OUT"
  cat "$WORK/out.txt"
  expect_exit 1 npx --no-install istio-mtls lint bad.yaml
  grep 'IMV204' "$WORK/out.txt" || { cat "$WORK/out.txt"; fail "lint bad.yaml did not report IMV204"; }
  expect_exit 0 npx --no-install istio-mtls --version

  step "cdk8s-plus-$plus: the plugin fails synth on a violation"
  # A plain ApiObject in an app without our constructs (so no synth-time hook): only the plugin sees the typo.
  expect_exit 2 npx --no-install cdk8s synth --app "npx tsx main-bad.ts" --no-check-upgrade --plugins-dir "$WORK/cdk8s-plugins"
  grep -q 'Resource Name: PeerAuthentication legacy/default' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not name the resource"; }
  grep -q 'IMV204' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not report IMV204"; }
  echo "cdk8s synth exited 2 naming PeerAuthentication legacy/default (IMV204)"

  step "cdk8s-plus-$plus: the engine subpath"
  expect_exit 0 node engine.js
  cat "$WORK/out.txt"

  step "cdk8s-plus-$plus: runtime dependencies"
  check_runtime_deps "$APP"
  cd "$REPO"
done

step "package test passed"
