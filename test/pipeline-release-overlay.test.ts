/**
 * scripts/pipeline/release-overlay.ts: the prod overlay rendered by kubectl's own kustomize with
 * the build's image, on every workload, the Jobs named after the new tag as the overlay's own
 * replacements name them, without editing the checked-in overlay.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { imageFields } from '../scripts/pipeline/release-overlay.ts';
import { runScript, tempDir } from './helpers.ts';
import { describeWithPrograms, KUBECTL } from './programs.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests
type Manifest = any;

/** Every container image (init containers, Jobs, CronJobs and Knative Services included) of a render. */
function images(rendered: string): string[] {
  const found: string[] = [];
  const visit = (node: Manifest): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(value))
          found.push(...value.map((c: Manifest) => c.image as string));
        else visit(value);
      }
    }
  };
  parseAllDocuments(rendered).forEach((d) => visit(d.toJS()));
  return found;
}

describe('the image fields of a release', () => {
  it('splits tags and digests, and refuses an image that names neither', () => {
    expect(imageFields('registry.example.com:5000/mlops-credit-score:abc123')).toEqual({
      newName: 'registry.example.com:5000/mlops-credit-score',
      newTag: 'abc123',
    });
    expect(imageFields('registry.example.com/mlops-credit-score@sha256:' + 'a'.repeat(64))).toEqual({
      newName: 'registry.example.com/mlops-credit-score',
      digest: 'sha256:' + 'a'.repeat(64),
    });
    expect(() => imageFields('registry.example.com:5000/mlops-credit-score')).toThrow(/neither a tag nor a digest/);
  });
});

describeWithPrograms([KUBECTL], 'the release overlay', () => {
  it('renders the prod overlay with the build image on every workload that ran the overlay image, and its Jobs named after the new tag', async () => {
    const prod = execFileSync('kubectl', ['kustomize', 'k8s-fallback/overlays/prod'], { encoding: 'utf8' });
    const before = new Set(images(prod));
    const out = join(tempDir('release-overlay'), 'release');
    const tag = '0123456789abcdef0123456789abcdef01234567';
    const image = `registry.example.com/mlops-credit-score:${tag}`;
    const run = await runScript('pipeline/release-overlay', ['--image', image, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const rendered = execFileSync('kubectl', ['kustomize', out], { encoding: 'utf8' });
    const after = images(rendered);
    // The same workloads, the overlay's image replaced by the build's, other images (MinIO...) kept.
    expect(after).toHaveLength(images(prod).length);
    expect(after.filter((i) => i === image).length).toBeGreaterThan(3);
    expect(after.filter((i) => !before.has(i))).toEqual(after.filter((i) => i === image));
    expect(after.filter((i) => i.includes('mlops-credit-score') && i !== image)).toEqual([]);
    expect(readFileSync('k8s-fallback/overlays/prod/kustomization.yaml', 'utf8')).not.toContain(tag);
    // A Job's template is immutable: a new image must come with new Job names (base/bootstrap-job.yaml).
    const jobs = (name: string): string[] =>
      parseAllDocuments(name)
        .map((d) => d.toJS() as Manifest)
        .filter((o) => o?.kind === 'Job')
        .map((o) => o.metadata.name as string)
        .sort();
    expect(jobs(prod).length).toBeGreaterThan(0);
    expect(jobs(rendered)).toEqual(jobs(prod).map((n) => n.replace(/-[^-]+$/, `-${tag}`)));
    expect(jobs(rendered).every((n) => n.endsWith(`-${tag}`))).toBe(true);
  });
});
