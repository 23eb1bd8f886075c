/**
 * The model picker in the header: the models the service serves (GET /models, the default
 * marked), the chosen one kept in the page's hash. Choosing another model stays on the same view
 * when it is about the model as a whole; a page that names a version (a version, its card, a
 * comparison) goes to the other model's versions, since versions belong to one model.
 */
import { api } from '../api.ts';
import { hashFor, type HashRoute } from '../hash-route.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';

interface ServedModel {
  name: string;
  default: boolean;
  aliases: Record<string, string>;
  traffic: string | null;
}

interface ServedModels {
  default: string;
  models: ServedModel[];
}

/** Views that are about a whole model: kept when the model changes. */
const WHOLE_MODEL_VIEWS = new Set(['models', 'traffic', 'variants', 'drift', 'jobs', 'try']);

// The list changes when a model is registered: rarely, so a minute between reads is plenty.
const REFRESH_MS = 60_000;

export function ModelPicker({ route }: { route: HashRoute }) {
  const { data, error } = usePoll(() => api<ServedModels>('models'), REFRESH_MS);
  if (!data) return error ? html`<span class="picker error" role="alert">models: ${error.message}</span>` : null;
  const chosen = route.model ?? data.default;
  const names = data.models.map((m) => m.name);
  const choose = (e: Event): void => {
    const model = (e.target as HTMLSelectElement).value;
    const [view, ...rest] = route.parts;
    location.hash = hashFor(rest.length === 0 && WHOLE_MODEL_VIEWS.has(view) ? view : 'models', model);
  };
  return html`<label class="picker inline">Model
    <select name="model" value=${chosen} onChange=${choose}>
      ${data.models.map((m) => html`<option value=${m.name}>${m.name}${m.default ? ' (default)' : ''}</option>`)}
      ${names.includes(chosen) ? null : html`<option value=${chosen}>${chosen} (not served here)</option>`}
    </select>
  </label>`;
}
