// A run's findings: the table with a status form per finding, and the form that adds one.
import type { AfterActionReport } from '../../../core/services/drill-reports.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { Notice } from './components.js';
import { utc } from '../format.js';

export interface FindingFormState {
  values: Record<string, string>;
  errors: Array<{ path: string; message: string }>;
}

export function FindingsTable({ findings, today, session }: { findings: AfterActionReport['findings']; today: string; session: SessionInfo }) {
  return findings.length ? (
      <div class="pl-scroll">
        <table class="pl-table" id="findings-table">
          <thead>
            <tr><th scope="col">Finding</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Change status</th></tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr data-finding={f.id} data-status={f.status}>
                <th scope="row">
                  {f.title}
                  {f.detail ? <div class="muted pl-small">{f.detail}</div> : null}
                </th>
                <td>{f.owner}</td>
                <td>{f.dueDate}{f.status !== 'closed' && f.dueDate < today ? <strong class="pl-flag"> ⚠ past due</strong> : null}</td>
                <td>{f.status === 'closed' ? `✔ closed ${utc(f.closedAt)}` : f.status.replace('_', ' ')}</td>
                <td>
                  <form method="post" action={`/planner/findings/${f.id}`} class="pl-inline-form">
                    <input type="hidden" name="_csrf" value={session.csrf} />
                    <label class="sr-only" for={`status-${f.id}`}>Status of “{f.title}”</label>
                    <select id={`status-${f.id}`} name="status">
                      {(['open', 'in_progress', 'closed'] as const).map((s) => (
                        <option value={s} selected={s === f.status}>{s.replace('_', ' ')}</option>
                      ))}
                    </select>
                    <button type="submit">Update<span class="sr-only"> “{f.title}”</span></button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
  ) : (
    <p class="muted">No findings recorded yet.</p>
  );
}

export function FindingForm({ action, form, session }: { action: string; form: FindingFormState | undefined; session: SessionInfo }) {
  const values = form?.values ?? {};
  const fieldError = (name: string) => form?.errors.find((e) => e.path === name)?.message;
  const field = (name: string, label: string, input: (describedBy: string | undefined) => unknown) => {
    const err = fieldError(name);
    return (
      <div class="pl-field">
        <label for={`f-${name}`}>{label}</label>
        {input(err ? `f-${name}-error` : undefined)}
        {err ? <span class="error" id={`f-${name}-error`}>{err}</span> : null}
      </div>
    );
  };
  return (
    <form method="post" action={action} class="panel pl-form" aria-labelledby="add-finding-h">
      <h3 id="add-finding-h">Add a finding</h3>
      {form?.errors.length ? <Notice kind="error">The finding was not saved: fix the fields marked below.</Notice> : null}
      <input type="hidden" name="_csrf" value={session.csrf} />
      {field('title', 'Title', (d) => <input id="f-title" name="title" required maxlength={300} value={values.title ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
      {field('owner', 'Owner', (d) => <input id="f-owner" name="owner" required maxlength={200} value={values.owner ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
      {field('dueDate', 'Due date', (d) => <input id="f-dueDate" name="dueDate" type="date" required value={values.dueDate ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
      {field('status', 'Status', (d) => (
        <select id="f-status" name="status" aria-describedby={d}>
          {(['open', 'in_progress', 'closed'] as const).map((s) => (
            <option value={s} selected={(values.status ?? 'open') === s}>{s.replace('_', ' ')}</option>
          ))}
        </select>
      ))}
      {field('detail', 'Detail (optional)', (d) => <textarea id="f-detail" name="detail" rows={3} maxlength={5000} aria-describedby={d}>{values.detail ?? ''}</textarea>)}
      <div><button type="submit" class="pl-primary">Add finding</button></div>
    </form>
  );
}
