/**
 * The prod overlay with this build's image (Jenkins' Deploy stage, cluster), written as a
 * kustomization that wraps it, so `kubectl apply -k` needs no kustomize binary (kubectl embeds
 * kustomize, but not `kustomize edit`) and the checked-in overlay stays untouched:
 *
 *   npx tsx scripts/pipeline/release-overlay.ts --image "$IMAGE" --out scratch/release
 *   kubectl apply -k scratch/release
 *
 * Kustomize's images transformer matches what the wrapped overlay renders, so the entry is named
 * after the overlay's own `images` entry for `mlops-credit-score` (its newName, if it renames).
 * Bases are referred to by a relative path: kustomize refuses an absolute one ("new root ...
 * cannot be absolute", kubectl 1.32 / kustomize v5.5).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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

/** name[:tag] or name@sha256:... split into kustomize's image fields. */
export function imageFields(image: string): { newName: string; newTag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { newName: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  // A colon before the last slash is a registry's port, not a tag.
  if (colon > image.lastIndexOf('/')) return { newName: image.slice(0, colon), newTag: image.slice(colon + 1) };
  throw new Error(`image ${image} has neither a tag nor a digest: a deploy must name exactly what it runs`);
}

/** The kustomization (as an object) that renders `overlayDir` with `image`, placed in `outDir`. */
export function releaseKustomization(overlayDir: string, outDir: string, image: string): Record<string, unknown> {
  const overlay = parse(readFileSync(join(overlayDir, 'kustomization.yaml'), 'utf8')) as { images?: ImageEntry[] };
  const own = overlay.images?.find((i) => i.name === BASE_IMAGE);
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(resolve(outDir), resolve(overlayDir))],
    images: [{ name: own?.newName ?? BASE_IMAGE, ...imageFields(image) }],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { image: { type: 'string' }, overlay: { type: 'string', default: 'k8s-fallback/overlays/prod' }, out: { type: 'string', default: 'scratch/release' } } });
  if (!values.image) {
    process.stderr.write('usage: npx tsx scripts/pipeline/release-overlay.ts --image REGISTRY/NAME:TAG [--overlay DIR] [--out DIR]\n');
    process.exit(2);
  }
  try {
    const kustomization = releaseKustomization(values.overlay, values.out, values.image);
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'kustomization.yaml'), `# Written by scripts/pipeline/release-overlay.ts; not checked in.\n${stringify(kustomization)}`);
    process.stdout.write(`${values.out}\n`);
  } catch (err) {
    process.stderr.write(`release-overlay: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
