#!/usr/bin/env bash
# The package as a user gets it, from a fresh clone of the committed HEAD (no
# prepared lib/): `npm ci` (which must build nothing), `npm pack` (whose
# prepack builds lib/), then check what ships and use the tarball:
#   - a consumer without @types/node type-checks every entry point of
#     `exports` (skipLibCheck false, node10 and node16 resolution);
#   - apps made by `cdk8s init typescript-app` (once with cdk8s-plus-27, once
#     with -33) compile, run their jest test, and `cdk8s synth` with the
#     cdk8s.yaml of README.md copied verbatim, so its plugin runs; then the
#     `istio-mtls` bin, the plugin failing synth, the registry form of the
#     plugin entry, the engine subpath and the runtime dependencies.
#
#   bash scripts/test-package.sh            both cdk8s-plus lines
#   bash scripts/test-package.sh 33         one line
#
# `cdk8s init` runs a post-create hook whose `cdk8s import` downloads the
# Kubernetes schema from raw.githubusercontent.com: the script runs the real
# `cdk8s init typescript-app` without that hook and then the hook's other
# steps itself (npm install, compile, jest, synth).
#
# Writes only to a temp dir it removes (KEEP_WORK=1 keeps it); npm's cache
# goes there too, unless npm_config_cache is set. Uncommitted changes of the
# checkout are not part of the test. Needs the npm registry.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -gt 0 ]]; then PLUS_LINES=("$@"); else PLUS_LINES=(27 33); fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/istio-mtls-package.XXXXXX")"
cleanup() {
  if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# Child tools (ts-node, jest, cdk8s-cli) write temp files: keep them in the work dir too.
mkdir "$WORK/tmp" && export TMPDIR="$WORK/tmp"
export npm_config_cache="${npm_config_cache:-$WORK/npm-cache}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false npm_config_loglevel=error
PLUGINS="$WORK/cdk8s-plugins"
START=$SECONDS

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - START))"; }
fail() { printf 'test-package: FAIL: %s\n' "$1" >&2; exit 1; }
quiet() { # run a noisy command, print its log only when it fails
  local log="$WORK/quiet.log"
  "$@" > "$log" 2>&1 || { cat "$log" >&2; fail "'$*' failed"; }
}

# --- fresh clone, npm ci, npm pack ---------------------------------------------
step "fresh clone of HEAD"
SRC="$WORK/src"
git clone --quiet "$REPO" "$SRC"
echo "commit $(git -C "$SRC" log -1 --format='%h %s')"
DIRTY="$(git -C "$REPO" status --porcelain | wc -l)"
[[ "$DIRTY" == 0 ]] || echo "note: $DIRTY uncommitted changes in the checkout are not part of this test"
[[ ! -e "$SRC/lib" ]] || fail "the clone has a lib/: it must come from the build"

step "npm ci in the clone (installs, builds nothing)"
cd "$SRC"
quiet npm ci
[[ ! -e lib ]] || fail "npm ci built lib/: only packing should build"

step "npm pack in the clone (prepack builds lib/)"
npm pack --json --pack-destination "$WORK" > "$WORK/pack.json" 2> "$WORK/pack.log" || { cat "$WORK/pack.log" >&2; fail "npm pack failed"; }
grep -q 'prepack' "$WORK/pack.log" || { cat "$WORK/pack.log" >&2; fail "npm pack did not run prepack"; }
TARBALL="$WORK/$(node -e 'process.stdout.write(require(process.argv[1])[0].filename)' "$WORK/pack.json")"
node -e '
  const p = require(process.argv[1])[0];
  console.log(`${p.filename}: ${p.entryCount} files, ${(p.size / 1024).toFixed(0)} kB packed, ${(p.unpackedSize / 1024).toFixed(0)} kB unpacked`);
' "$WORK/pack.json"

step "tarball contents"
tar -tzf "$TARBALL" | sed 's|^package/||' | sort > "$WORK/files.txt"
# Only the build output (JS and declarations), the bin, and the top-level docs ship.
UNEXPECTED="$(grep -Ev '^(lib/.+\.(js|d\.ts)|bin/istio-mtls|package\.json|README\.md|LICENSE|RULES\.md)$' "$WORK/files.txt" || true)"
[[ -z "$UNEXPECTED" ]] || fail "files that should not ship:
$UNEXPECTED
(adjust npmIgnoreOptions or files in .projenrc.ts)"
for required in package.json README.md LICENSE RULES.md bin/istio-mtls lib/src/index.js lib/src/index.d.ts lib/src/engine.js lib/src/engine.d.ts \
  lib/src/cli/main.js lib/src/cdk8s/validation-plugin.js lib/src/cdk8s/validation-plugin.d.ts; do
  grep -qx "$required" "$WORK/files.txt" || fail "$required is missing from the tarball"
done
# Every source file is built: as many lib/**/*.js as src/**/*.ts and imports/**/*.ts (declarations aside).
SOURCES="$(git ls-files 'src/*.ts' 'imports/*.ts' | grep -cv '\.d\.ts$')"
BUILT="$(grep -c '^lib/.*\.js$' "$WORK/files.txt")"
[[ "$SOURCES" == "$BUILT" ]] || fail "the tarball has $BUILT lib/**/*.js for $SOURCES committed sources"
mkdir "$WORK/unpacked" && tar -xzf "$TARBALL" -C "$WORK/unpacked"
# No path of the build machine (source maps, generated comments) may leak into the package.
for dir in "$REPO" "$SRC"; do
  if grep -rlF "$dir" "$WORK/unpacked" >/dev/null; then fail "the tarball mentions $dir: $(grep -rlF "$dir" "$WORK/unpacked" | head -3)"; fi
done
echo "$(wc -l < "$WORK/files.txt") files: $BUILT built from $SOURCES sources, with their declarations, bin/ and the top-level docs"

# --- the README's cdk8s.yaml ---------------------------------------------------------
step "the cdk8s.yaml of README.md"
# The one yaml block of README.md that configures IstioMtlsValidation, byte for byte.
node - "$SRC/README.md" "$WORK/readme-cdk8s.yaml" <<'EOF'
const fs = require('fs');
const [readme, out] = process.argv.slice(2);
const blocks = [...fs.readFileSync(readme, 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const plugin = blocks.filter((b) => /^\s+class: IstioMtlsValidation$/m.test(b));
if (plugin.length !== 1) throw new Error(`README.md has ${plugin.length} yaml blocks with "class: IstioMtlsValidation", expected 1`);
fs.writeFileSync(out, plugin[0]);
EOF
cat "$WORK/readme-cdk8s.yaml"
PLUGIN_VERSION="$(sed -nE 's/^ +version: *([^ #]+).*/\1/p' "$WORK/readme-cdk8s.yaml")"
[[ -n "$PLUGIN_VERSION" ]] || fail "the README's cdk8s.yaml has no plugin version"

step "cdk8s-cli, for cdk8s init"
quiet npm install --prefix "$WORK/tools" --no-audit --no-fund cdk8s-cli@^2
TEMPLATE="$WORK/tools/node_modules/cdk8s-cli/templates/typescript-app"
echo "cdk8s-cli@$(node -p 'require(process.argv[1]).version' "$WORK/tools/node_modules/cdk8s-cli/package.json")"
# The post-create hook runs `cdk8s import` (GitHub): drop it, run its other steps below.
rm "$TEMPLATE/.hooks.sscaff.js"
# The README's file is the template's cdk8s.yaml with `validations:` added (comment lines aside).
diff <(grep -v '^#' "$WORK/readme-cdk8s.yaml" | sed '/^validations:/,$d') "$TEMPLATE/cdk8s.yaml" \
  || fail "the README's cdk8s.yaml does not start with what cdk8s init writes (above: README < > template)"

# --- a consumer without @types/node -----------------------------------------------------
step "declarations without @types/node (skipLibCheck false)"
TYPES_APP="$WORK/app-no-node-types"
mkdir "$TYPES_APP" && cd "$TYPES_APP"
echo '{ "name": "consumer-no-node-types", "version": "1.0.0", "private": true }' > package.json
quiet npm install --no-audit --no-fund "$TARBALL" "cdk8s@^2" "constructs@^10" "typescript@~5.9"
[[ ! -e node_modules/@types/node ]] || fail "@types/node was installed with the package: $(npm ls @types/node 2>&1 | tail -3)"
# One import per entry point of package.json `exports`, so a new subpath is checked too.
node - "$TYPES_APP/node_modules/cdk8s-istio-mtls/package.json" > entry-points.ts <<'EOF'
const pkg = require(process.argv[2]);
const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
subpaths.forEach((k, i) => console.log(`import * as entry${i} from '${pkg.name}${k.slice(1)}';`));
console.log(`export const entryPoints = [${subpaths.map((_, i) => `entry${i}`).join(', ')}];`);
EOF
cat entry-points.ts
# The compiler options of an app made by cdk8s init (lib es2016, strict, skipLibCheck unset: false).
node -e '
  const c = require(process.argv[1]);
  c.include = ["entry-points.ts"]; c.compilerOptions.noEmit = true; c.compilerOptions.skipLibCheck = false;
  require("fs").writeFileSync("tsconfig.json", JSON.stringify(c, null, 2));
' "$TEMPLATE/tsconfig.json"
for resolution in node10 node16; do
  npx --no-install tsc -p tsconfig.json --module "${resolution/node10/commonjs}" --moduleResolution "$resolution" \
    || fail "the declarations do not type-check without @types/node ($resolution resolution; errors above)"
done
echo "entry points type-check with no @types/* installed ($(ls node_modules/@types 2>/dev/null | wc -l) packages there), resolved as node10 and as node16"

# --- the plugin's registry form, as cdk8s-cli installs it -------------------------------
# `package: cdk8s-istio-mtls` makes cdk8s-cli run `npm install cdk8s-istio-mtls@<version> --no-save
# --prefix <plugins-dir>/cdk8s-istio-mtls/<version>`; the same install, from the tarball.
quiet npm install --prefix "$PLUGINS/cdk8s-istio-mtls/$PLUGIN_VERSION" --no-save --no-audit --no-fund "$TARBALL"

# --- apps made by cdk8s init ------------------------------------------------------------
write_sources() {
  local plus="$1"
  cat > main.ts <<EOF
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-$plus';
import {
  AccessAction, Identity, MeshStrictMtls, MtlsAlerts, MtlsMode, NamespaceMtls, ServiceAccess, WorkloadMtls, WorkloadSelector,
} from 'cdk8s-istio-mtls';
import { Construct } from 'constructs';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);
    new MeshStrictMtls(this, 'Mesh');
    new NamespaceMtls(this, 'Shop', { namespace: 'shop' });
    const api = new kplus.Deployment(this, 'Api', {
      metadata: { namespace: 'shop', name: 'api' },
      containers: [{ image: 'example/api:1.0', portNumber: 8080 }],
    });
    new WorkloadMtls(this, 'ApiMtls', {
      namespace: 'shop',
      name: 'api-strict',
      selector: WorkloadSelector.fromWorkload(api),
      mode: MtlsMode.STRICT,
    });
    new ServiceAccess(this, 'ApiAccess', {
      namespace: 'shop',
      name: 'api-callers',
      selector: WorkloadSelector.fromWorkload(api),
      action: AccessAction.ALLOW,
      rules: [{ identities: [Identity.serviceAccount('shop', 'web')], methods: ['GET'] }],
    });
    new MtlsAlerts(this, 'Alerts', { namespace: 'monitoring', plaintextTraffic: { namespaces: ['shop'] } });
  }
}

const app = new App();
new MyChart(app, 'mesh');
app.synth();
EOF
  cat > main-bad.ts <<'EOF'
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
  cat > engine-check.js <<'EOF'
// The engine subpath, from the installed package (compiled JavaScript, no loader), without cdk8s.
const fs = require('fs');
const { buildMeshModel, explainMesh, lint, parseManifests } = require('cdk8s-istio-mtls/engine');
const { manifests } = parseManifests(fs.readFileSync('bad.yaml'), { file: 'bad.yaml' });
const found = lint(manifests.map((m) => ({ manifest: m.manifest, source: m.source })));
const codes = found.map((f) => f.code);
if (!codes.includes('IMV204')) { console.error(`lint found ${codes.join(', ') || 'nothing'}`); process.exit(1); }
const mode = found.find((f) => f.code === 'IMV204');
if (mode.file !== 'bad.yaml' || mode.line !== 8) { console.error(`lint placed IMV204 at ${mode.file}:${mode.line}, not bad.yaml:8`); process.exit(1); }
const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\/](cdk8s|constructs)[\\/]/.test(k));
if (loaded.length > 0) { console.error(`the engine loaded ${loaded[0]}`); process.exit(1); }
const explained = explainMesh(buildMeshModel(manifests.map((m) => m.manifest)));
console.log(`cdk8s-istio-mtls/engine: lint reports IMV204 on bad.yaml, explain lists ${explained.workloads.length} workloads, cdk8s not loaded`);
EOF
  cat > engine-types.ts <<'EOF'
import { lint, LintInput, LocatedFinding } from 'cdk8s-istio-mtls/engine';

const inputs: LintInput[] = [];
const findings: LocatedFinding[] = lint(inputs);
export const count: number = findings.length;
EOF
  cat > bad.yaml <<'EOF'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRIC
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
const { spawnSync } = require('child_process');
const dir = process.argv[2];
// npm ls exits 1 on any problem in the app (cdk8s-plus-27's own dependencies want an @types/node the template does not have): read
// its tree anyway, and fail below only on problems inside our package's tree.
const ls = spawnSync('npm', ['ls', '--all', '--omit=dev', '--json', '--long'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const tree = JSON.parse(ls.stdout);
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
const problems = tree.problems ?? [];
// A problem ends with the path of an installed package ("invalid: …") or the id of the one requiring it ("missing: …").
const ids = new Set(packages.values());
const inOurTree = problems.filter((p) => packages.has(p.split(' ').pop()) || ids.has(p.split(' ').pop()));
if (inOurTree.length > 0) throw new Error(`npm ls reports, in our dependency tree: ${inOurTree.join('; ')}`);
if (problems.length > 0) console.log(`npm ls reports ${problems.length} problem(s) outside our tree: ${problems.join('; ')}`);
console.log(`${packages.size - 1} runtime packages checked (peers included), none with install scripts`);
EOF
}

for plus in "${PLUS_LINES[@]}"; do
  APP="$WORK/app-plus-$plus"
  step "cdk8s-plus-$plus: cdk8s init typescript-app, npm install, npm install the tarball"
  mkdir "$APP" && cd "$APP"
  quiet "$WORK/tools/node_modules/.bin/cdk8s" init typescript-app
  # The template depends on cdk8s-plus-33; the other line replaces it.
  if [[ "$plus" != 33 ]]; then
    node -e '
      const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
      const range = p.dependencies["cdk8s-plus-33"]; if (!range) throw new Error("the template no longer depends on cdk8s-plus-33");
      delete p.dependencies["cdk8s-plus-33"]; p.dependencies["cdk8s-plus-'"$plus"'"] = "^2";
      fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");
    '
  fi
  quiet npm install --no-audit --no-fund
  quiet npm install --no-audit --no-fund "$TARBALL"
  cp "$WORK/readme-cdk8s.yaml" cdk8s.yaml
  write_sources "$plus"
  node -e 'for (const p of ["cdk8s", "cdk8s-plus-'"$plus"'", "cdk8s-cli", "typescript", "cdk8s-istio-mtls"]) console.log(`  ${p}@${require(`${p}/package.json`).version}`)'

  step "cdk8s-plus-$plus: npm run compile (the template's tsconfig: lib es2016, skipLibCheck unset)"
  npm run --silent compile || fail "the app made by cdk8s init does not compile against the tarball's declarations (errors above)"

  step "cdk8s-plus-$plus: npm test (the template's jest test, through ts-jest)"
  quiet npm test -- -u
  echo "jest: $(grep -Eo 'Tests: .*' "$WORK/quiet.log" || echo 'passed')"

  step "cdk8s-plus-$plus: cdk8s synth with the README's cdk8s.yaml (app: ts-node, then our plugin)"
  expect_exit 0 npx --no-install cdk8s synth --no-check-upgrade --plugins-dir "$PLUGINS"
  grep -q "Validation Report ($APP/node_modules/cdk8s-istio-mtls@$PLUGIN_VERSION)" "$WORK/out.txt" \
    || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not report from the app's node_modules/cdk8s-istio-mtls"; }
  grep -q 'Validations ended succesfully' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not pass"; }
  OUT="dist/mesh.k8s.yaml"
  [[ -f "$OUT" ]] || fail "synth wrote no $OUT"
  for kind in PeerAuthentication AuthorizationPolicy PrometheusRule Deployment; do
    grep -q "^kind: $kind\$" "$OUT" || fail "$OUT has no $kind"
  done
  [[ "$(grep -c '^kind: PeerAuthentication$' "$OUT")" == 3 ]] || fail "$OUT should hold 3 PeerAuthentications (mesh, namespace, workload)"
  echo "the plugin passed $OUT"
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
  expect_exit 2 npx --no-install cdk8s synth --app "npx ts-node main-bad.ts" --no-check-upgrade --plugins-dir "$PLUGINS"
  grep -q 'Resource Name: PeerAuthentication legacy/default' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not name the resource"; }
  grep -q 'IMV204' "$WORK/out.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the plugin did not report IMV204"; }
  echo "cdk8s synth exited 2 naming PeerAuthentication legacy/default (IMV204)"

  step "cdk8s-plus-$plus: the plugin's registry form (package: cdk8s-istio-mtls)"
  sed -E 's|^( +- package: )\./node_modules/cdk8s-istio-mtls$|\1cdk8s-istio-mtls|' "$WORK/readme-cdk8s.yaml" > cdk8s.yaml
  grep -qx '  - package: cdk8s-istio-mtls' cdk8s.yaml || fail "could not rewrite the README's package line to the registry form"
  expect_exit 2 npx --no-install cdk8s synth --app "npx ts-node main-bad.ts" --no-check-upgrade --plugins-dir "$PLUGINS"
  grep -q "Validation Report (cdk8s-istio-mtls@$PLUGIN_VERSION)" "$WORK/out.txt" && grep -q 'IMV204' "$WORK/out.txt" \
    || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the registry form of the plugin did not report IMV204"; }
  echo "loaded from the plugins directory, as cdk8s-istio-mtls@$PLUGIN_VERSION; exited 2 with IMV204"
  cp "$WORK/readme-cdk8s.yaml" cdk8s.yaml

  step "cdk8s-plus-$plus: the engine subpath"
  expect_exit 0 node engine-check.js
  cat "$WORK/out.txt"

  step "cdk8s-plus-$plus: runtime dependencies"
  check_runtime_deps "$APP"
done

step "package test passed"
