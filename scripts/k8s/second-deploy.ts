/**
 * The next deploy of an overlay, rendered without a cluster: the kustomizations the overlay builds
 * on (its own and every local directory it reaches through `resources:` and `components:`) are
 * copied to a temporary directory, each of their `images:` entries gets another tag (as
 * `kustomize edit set image` does in a pipeline), and the copy is rendered. Comparing it with the
 * render as it is shows what a second apply would try to change (scripts/k8s/job-template-rules.ts).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parse, stringify } from 'yaml';

export const NEXT_TAG = 'k8s-check-next';
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

interface Kustomization {
  resources?: string[];
  components?: string[];
  images?: { name: string; newTag?: string; digest?: string }[];
}

function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Every local kustomization directory `dir` builds on, itself included. */
export function kustomizationDirs(dir: string, seen = new Set<string>()): Set<string> {
  const absolute = resolve(dir);
  const file = kustomizationFile(absolute);
  if (seen.has(absolute) || !file) return seen;
  seen.add(absolute);
  const k = (parse(readFileSync(file, 'utf8')) ?? {}) as Kustomization;
  for (const entry of [...(k.resources ?? []), ...(k.components ?? [])]) {
    const target = resolve(absolute, entry);
    if (existsSync(target) && statSync(target).isDirectory()) kustomizationDirs(target, seen);
  }
  return seen;
}

/** The deepest directory holding all of `dirs`. */
function commonAncestor(dirs: string[]): string {
  let root = dirs[0]!;
  while (!dirs.every((d) => d === root || d.startsWith(root.endsWith(sep) ? root : root + sep))) root = dirname(root);
  return root;
}

/**
 * Copies the overlay and what it builds on with every image set in them retagged `tag`, hands the
 * copy of the overlay to `render`, and removes the copy.
 */
export function withNextTag<T>(overlay: string, tag: string, render: (copy: string) => T): T {
  const dirs = [...kustomizationDirs(overlay)];
  const root = commonAncestor(dirs);
  const copyRoot = mkdtempSync(join(tmpdir(), 'k8s-check-'));
  try {
    for (const dir of dirs) {
      const target = join(copyRoot, relative(root, dir));
      mkdirSync(target, { recursive: true });
      for (const entry of readdirSync(dir)) {
        const from = join(dir, entry);
        if (statSync(from).isFile()) copyFileSync(from, join(target, entry));
      }
      const file = kustomizationFile(target)!;
      const k = (parse(readFileSync(file, 'utf8')) ?? {}) as Kustomization;
      if (!k.images?.length) continue;
      k.images = k.images.map(({ digest: _digest, ...image }) => ({ ...image, newTag: tag })); // a digest is dropped: the tag replaces it
      writeFileSync(file, stringify(k));
    }
    return render(join(copyRoot, relative(root, resolve(overlay))));
  } finally {
    rmSync(copyRoot, { recursive: true, force: true });
  }
}
