import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input, { InputProps } from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, Remittance, RequestRecord, Session, call, watchRequests } from './api';
import type { Serving } from './App';

/** The last requests, newest first, each with the Region that served it. */
export function RecentRequests() {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  useEffect(() => watchRequests((r) => setRecords((rs) => [r, ...rs].slice(0, 10))), []);
  return (
    <Table
      data-testid="requests"
      header={<Header variant="h2" description="What the page asked the API, and which Region answered">Recent requests</Header>}
      items={records}
      wrapLines
      variant="container"
      columnDefinitions={[
        { id: 'time', header: 'Time', cell: (r) => r.at.toLocaleTimeString() },
        { id: 'request', header: 'Request', cell: (r) => <span data-testid="request-row">{`${r.method} ${r.path}`}</span> },
        { id: 'status', header: 'Status', cell: (r) => (r.status === 0 ? 'no answer' : r.status) },
        { id: 'served', header: 'Served by', cell: (r) => r.servedBy ?? '(no answer from the API)' },
      ]}
      empty={<Box color="text-status-inactive">No requests yet.</Box>}
    />
  );
}

const EMPTY = { sender: '', recipient: '', amount: '', currency: 'EUR', note: '' };

/** The signed-in user's remittances: a form to send or edit one, and the list, which tells an empty list from one that could not be read. */
export function RemittanceList(props: { session: Session; onServing: (s: Serving) => void }) {
  const { session, onServing } = props;
  const [items, setItems] = useState<Remittance[]>([]);
  const [loaded, setLoaded] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const [listError, setListError] = useState<string>();
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<Remittance>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const served = useCallback((region: string | undefined) => {
    if (region) onServing({ region });
  }, [onServing]);

  const refresh = useCallback(async () => {
    try {
      const answer = await call<{ remittances: Remittance[] }>(session, '/api', '/remittances');
      served(answer.servedBy);
      setItems(answer.body.remittances);
      setLoaded('loaded');
      setListError(undefined);
    } catch (e) {
      const err = e as ApiError;
      served(err.servedBy);
      setLoaded('failed');
      setListError(err.status ? `The API${err.servedBy ? ` in ${err.servedBy}` : ''} answered ${err.status}: ${err.message}` : err.message);
    }
  }, [session, served]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function send<T>(work: () => Promise<{ servedBy?: string; body: T }>): Promise<T | undefined> {
    setError(undefined);
    try {
      const answer = await work();
      served(answer.servedBy);
      return answer.body;
    } catch (e) {
      served((e as ApiError).servedBy);
      setError((e as Error).message);
      return undefined;
    }
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const payload = { ...form, note: form.note === '' ? null : form.note };
    const body = editing
      ? await send(() => call(session, '/api', `/remittances/${editing.id}`, { method: 'PUT', body: { ...payload, version: editing.version } }))
      : await send(() => call(session, '/api', '/remittances', { method: 'POST', body: payload }));
    setBusy(false);
    if (body) {
      setForm(EMPTY);
      setEditing(undefined);
      await refresh();
    }
  };

  const remove = async (r: Remittance) => {
    if (await send(() => call(session, '/api', `/remittances/${r.id}`, { method: 'DELETE' }))) await refresh();
  };

  const edit = (r: Remittance) => {
    setEditing(r);
    setForm({ sender: r.sender, recipient: r.recipient, amount: r.amount, currency: r.currency, note: r.note ?? '' });
  };

  const field = (key: keyof typeof EMPTY, label: string, extra: Partial<InputProps> = {}) => (
    <FormField label={label}>
      <Input name={key} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.detail.value })} {...extra} />
    </FormField>
  );

  return (
    <>
      <form onSubmit={submit} data-testid="remittance-form">
        <Form
          actions={(
            <SpaceBetween direction="horizontal" size="xs">
              {editing && <Button formAction="none" onClick={() => { setEditing(undefined); setForm(EMPTY); }}>Cancel</Button>}
              <Button variant="primary" formAction="submit" loading={busy}>{editing ? 'Save' : 'Send'}</Button>
            </SpaceBetween>
          )}
          errorText={error && <span role="alert">{error}</span>}
        >
          <Container header={<Header variant="h2">{editing ? `Edit remittance ${editing.id.slice(0, 8)}` : 'New remittance'}</Header>}>
            <ColumnLayout columns={3}>
              {field('sender', 'Sender')}
              {field('recipient', 'Recipient')}
              {field('amount', 'Amount', { inputMode: 'decimal', placeholder: '125.50' })}
              {field('currency', 'Currency', { placeholder: 'EUR' })}
              {field('note', 'Note (optional)')}
            </ColumnLayout>
          </Container>
        </Form>
      </form>
      <Table
        data-testid="remittances"
        header={(
          <Header variant="h2" counter={loaded === 'loaded' ? `(${items.length})` : undefined} actions={<Button iconName="refresh" onClick={() => void refresh()}>Refresh</Button>}>
            Your remittances
          </Header>
        )}
        variant="container"
        wrapLines
        loading={loaded === 'loading'}
        loadingText="Loading the remittances"
        items={loaded === 'loaded' ? items : []}
        columnDefinitions={[
          { id: 'recipient', header: 'Recipient', cell: (r) => <span data-testid="remittance-row">{`${r.sender} → ${r.recipient}`}</span> },
          { id: 'amount', header: 'Amount', cell: (r) => `${r.amount} ${r.currency}` },
          { id: 'note', header: 'Note', cell: (r) => r.note ?? '' },
          { id: 'created', header: 'Created in', cell: (r) => r.createdIn },
          { id: 'updated', header: 'Updated', cell: (r) => new Date(r.updatedAt).toLocaleString() },
          {
            id: 'actions',
            header: '',
            cell: (r) => (
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="inline-link" ariaLabel={`Edit the remittance to ${r.recipient}`} onClick={() => edit(r)}>Edit</Button>
                <Button variant="inline-link" ariaLabel={`Delete the remittance to ${r.recipient}`} onClick={() => void remove(r)}>Delete</Button>
              </SpaceBetween>
            ),
          },
        ]}
        empty={loaded === 'failed'
          ? <Alert type="error" header="The remittances could not be loaded" data-testid="list-error">{listError}</Alert>
          : <Box color="text-status-inactive" data-testid="list-empty">No remittances yet.</Box>}
      />
    </>
  );
}
