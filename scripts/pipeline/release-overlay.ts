/**
 * The prod overlay with this build's image (Jenkins' Deploy stage, cluster), as `kustomize edit
 * set image` would make it, written to another directory so the checked-in overlay stays
 * untouched and `kubectl apply -k` needs no kustomize binary (kubectl embeds kustomize, but not
 * `kustomize edit`):
 *
 *   npx tsx scripts/pipeline/release-overlay.ts --image "$IMAGE" --out scratch/release
 *   kubectl apply -k scratch/release
 *
 * It is a copy of the overlay's kustomization.yaml with its `images` entry for the base image
 * changed and its relative paths rebased, not a second overlay on top: the overlay's own
 * `replacements` (which name the Jobs after the image tag, since a Job's template is immutable:
 * base/bootstrap-job.yaml) must see the new tag, and they run only inside that kustomization,
 * after its `images`. Kustomize refuses absolute paths to bases ("new root ... cannot be
 * absolute", kubectl 1.32 / kustomize v5.5), hence relative ones.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

/** The image name every workload of the base uses (k8s-fallback/base). */
export const BASE_IMAGE = 'mlops-credit-score';

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface Kustomization {
  resources?: string[];
  components?: string[];
  images?: ImageEntry[];
  patches?: { path?: string }[];
  [field: string]: unknown;
}

/** name[:tag] or name@sha256:... split into kustomize's image fields. */
export function imageFields(image: string): { newName: string; newTag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { newName: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  // A colon before the last slash is a registry's port, not a tag.
  if (colon > image.lastIndexOf('/')) return { newName: image.slice(0, colon), newTag: image.slice(colon + 1) };
  throw new Error(`image ${image} has neither a tag nor a digest: a deploy must name exactly what it runs`);
}

/** The overlay in `overlayDir` with `image` for the base image, its paths valid from `outDir`. */
export function releaseKustomization(overlayDir: string, outDir: string, image: string): Kustomization {
  const overlay = parse(readFileSync(join(overlayDir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const rebase = (path: string): string =>
    isAbsolute(path) || /^[a-z]+:\/\//.test(path) ? path : relative(resolve(outDir), resolve(overlayDir, path));
  const images = (overlay.images ?? []).filter((i) => i.name !== BASE_IMAGE);
  return {
    ...overlay,
    ...(overlay.resources ? { resources: overlay.resources.map(rebase) } : {}),
    ...(overlay.components ? { components: overlay.components.map(rebase) } : {}),
    ...(overlay.patches ? { patches: overlay.patches.map((p) => (p.path ? { ...p, path: rebase(p.path) } : p)) } : {}),
    images: [...images, { name: BASE_IMAGE, ...imageFields(image) }],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      image: { type: 'string' },
      overlay: { type: 'string', default: 'k8s-fallback/overlays/prod' },
      out: { type: 'string', default: 'scratch/release' },
    },
  });
  if (!values.image) {
    process.stderr.write(
      'usage: npx tsx scripts/pipeline/release-overlay.ts --image REGISTRY/NAME:TAG [--overlay DIR] [--out DIR]\n',
    );
    process.exit(2);
  }
  try {
    const kustomization = releaseKustomization(values.overlay, values.out, values.image);
    mkdirSync(values.out, { recursive: true });
    writeFileSync(
      join(values.out, 'kustomization.yaml'),
      `# Written by scripts/pipeline/release-overlay.ts from ${values.overlay}; not checked in.\n${stringify(kustomization)}`,
    );
    process.stdout.write(`${values.out}\n`);
  } catch (err) {
    process.stderr.write(`release-overlay: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
