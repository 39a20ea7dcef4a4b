/**
 * The names the local dashboard borrows from generated/dashboards.yaml, so each local panel is
 * called what its deployed counterpart is called: the CloudWatch pipeline dashboard's sections
 * (text widgets) and widget titles, and the QuickSight visuals' titles by VisualId.
 */

type Json = Record<string, unknown>;

export interface DeployedWidgets {
  /** CloudWatch: section heading → widget titles, in dashboard order. */
  readonly sections: readonly { readonly heading: string; readonly titles: readonly string[] }[];
  /** QuickSight: VisualId → title. */
  readonly visuals: Readonly<Record<string, string>>;
}

export class DashboardTemplateError extends Error {
  override readonly name = 'DashboardTemplateError';
}

function resourcesOf(doc: Json): Json[] {
  return Object.values((doc.Resources ?? {}) as Record<string, Json>);
}

/** The `!Sub` text of a CloudWatch DashboardBody (its `${…}` placeholders sit inside JSON strings, so the text parses as JSON). */
function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  const sub = (body as Json | undefined)?.['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  throw new DashboardTemplateError('generated/dashboards.yaml: the CloudWatch DashboardBody is neither a string nor !Sub');
}

/** Every `{ VisualId, Title.FormatText.PlainText }` under a QuickSight definition, also inside `!If` branches. */
function collectVisuals(node: unknown, out: Record<string, string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectVisuals(n, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Json;
  const title = ((o.Title as Json | undefined)?.FormatText as Json | undefined)?.PlainText;
  if (typeof o.VisualId === 'string' && typeof title === 'string') out[o.VisualId] = title;
  for (const v of Object.values(o)) collectVisuals(v, out);
}

/** Reads the widget and visual names of a parsed dashboards.yaml. */
export function deployedWidgets(doc: Json): DeployedWidgets {
  const sections: { heading: string; titles: string[] }[] = [];
  const visuals: Record<string, string> = {};
  for (const res of resourcesOf(doc)) {
    const props = (res.Properties ?? {}) as Json;
    if (res.Type === 'AWS::CloudWatch::Dashboard') {
      const body = JSON.parse(bodyText(props.DashboardBody)) as { widgets: { type: string; properties: { title?: string; markdown?: string } }[] };
      for (const w of body.widgets) {
        if (w.type === 'text') sections.push({ heading: (w.properties.markdown ?? '').replace(/^#+\s*/, ''), titles: [] });
        else if (w.properties.title) {
          if (sections.length === 0) sections.push({ heading: '', titles: [] });
          sections.at(-1)!.titles.push(w.properties.title);
        }
      }
    }
    if (res.Type === 'AWS::QuickSight::Dashboard') collectVisuals(props.Definition, visuals);
  }
  if (sections.length === 0)
    throw new DashboardTemplateError('generated/dashboards.yaml: no CloudWatch dashboard widgets; rebuild the templates (npm run build:templates)');
  return { sections, visuals };
}

/** The section whose heading starts with `prefix` (headings carry extra words such as the replay hint). */
export function section(widgets: DeployedWidgets, prefix: string): { heading: string; titles: readonly string[] } {
  const s = widgets.sections.find((x) => x.heading.startsWith(prefix));
  if (!s)
    throw new DashboardTemplateError(
      `generated/dashboards.yaml: no dashboard section "${prefix}…" (found: ${widgets.sections.map((x) => x.heading).join('; ')})`,
    );
  return s;
}

/** A widget title that must exist in the deployed dashboard (so a rename there shows up here). */
export function widgetTitle(widgets: DeployedWidgets, title: string): string {
  if (!widgets.sections.some((s) => s.titles.includes(title))) throw new DashboardTemplateError(`generated/dashboards.yaml: no widget titled "${title}"`);
  return title;
}

export function visualTitle(widgets: DeployedWidgets, visualId: string): string {
  const t = widgets.visuals[visualId];
  if (t === undefined) throw new DashboardTemplateError(`generated/dashboards.yaml: no QuickSight visual ${visualId}`);
  return t;
}
