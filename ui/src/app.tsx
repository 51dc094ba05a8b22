/** The frame around every page: header, token prompt, keyboard shortcuts, toasts, and the page itself. */
import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized, token } from './api.ts';
import { Dialog } from './components/dialog.tsx';
import { Toasts } from './components/feedback.tsx';
import { refreshAll, usePoll } from './hooks.ts';
import { describeInstant } from './lib/format.ts';
import { href, parseRoute, type Route } from './lib/routes.ts';
import { MeProvider, useMe } from './me.tsx';
import { AssetsPage } from './pages/assets.tsx';
import { AuditLogPage } from './pages/audit-log.tsx';
import { PoolsPage } from './pages/pools.tsx';
import { ConnectionsPage } from './pages/connections.tsx';
import { VariablesPage } from './pages/variables.tsx';
import { BackfillsPage } from './pages/backfills.tsx';
import { DagPage } from './pages/dag.tsx';
import { DagsPage } from './pages/dags.tsx';
import { RunPage } from './pages/run.tsx';
import { TaskInstancePage } from './pages/task-instance.tsx';
import { PrefsProvider, usePrefs } from './prefs.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { useHotkeys, SHORTCUTS } from './hotkeys.ts';

export function App() {
  const { path } = useLocation();
  const route = parseRoute(path);
  const [askToken, setAskToken] = useState<'first' | 'rejected' | undefined>();
  const [showHelp, setShowHelp] = useState(false);

  useEffect(() => onUnauthorized(() => setAskToken(token.get() ? 'rejected' : 'first')), []);
  useHotkeys({
    help: () => setShowHelp(true),
    goDags: () => navigate(href.dags()),
    goBackfills: () => navigate(href.backfills()),
    goAssets: () => navigate(href.assets()),
    goPools: () => navigate(href.pools()),
    goConnections: () => navigate(href.connections()),
    goVariables: () => navigate(href.variables()),
    goAudit: () => navigate(href.audit()),
  });
  useEffect(() => {
    document.title = titleOf(route);
  }, [path]);

  return (
    <PrefsProvider>
      <MeProvider>
        <Header route={route} onHelp={() => setShowHelp(true)} />
        <main id="main">
          {askToken ? (
            <TokenForm
              rejected={askToken === 'rejected'}
              onSaved={() => {
                setAskToken(undefined);
                refreshAll();
              }}
            />
          ) : (
            <Page route={route} />
          )}
        </main>
        {showHelp && <ShortcutHelp onClose={() => setShowHelp(false)} />}
        <Toasts />
      </MeProvider>
    </PrefsProvider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dags':
      return <DagsPage />;
    case 'dag':
      return <DagPage key={route.dagId} dagId={route.dagId} tab={route.tab} />;
    case 'run':
      return <RunPage key={`${route.dagId}/${route.runId}`} dagId={route.dagId} runId={route.runId} tab={route.tab} />;
    case 'task':
      return (
        <TaskInstancePage
          key={JSON.stringify([route.dagId, route.runId, route.taskId, route.mapIndex])}
          dagId={route.dagId}
          runId={route.runId}
          taskId={route.taskId}
          mapIndex={route.mapIndex}
        />
      );
    case 'backfills':
      return <BackfillsPage />;
    case 'assets':
      return <AssetsPage />;
    case 'pools':
      return <PoolsPage />;
    case 'audit':
      return <AuditLogPage />;
    case 'connections':
      return <ConnectionsPage />;
    case 'variables':
      return <VariablesPage />;
    case 'not-found':
      return (
        <div class="page">
          <h1>Page not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link href={href.dags()}>See all DAGs</Link>.
          </p>
        </div>
      );
  }
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'dag':
      return `${route.dagId} · Sluice`;
    case 'run':
      return `${route.runId} · ${route.dagId} · Sluice`;
    case 'task':
      return `${route.taskId}${route.mapIndex === undefined ? '' : ` [${route.mapIndex}]`} · ${route.dagId} · Sluice`;
    case 'backfills':
      return 'Backfills · Sluice';
    case 'assets':
      return 'Assets · Sluice';
    case 'pools':
      return 'Pools · Sluice';
    case 'audit':
      return 'Audit log · Sluice';
    case 'connections':
      return 'Connections · Sluice';
    case 'variables':
      return 'Variables · Sluice';
    default:
      return 'Sluice';
  }
}

function Header({ route, onHelp }: { route: Route; onHelp: () => void }) {
  const { zone, setZone } = usePrefs();
  const inBackfills = route.page === 'backfills';
  const inAssets = route.page === 'assets';
  const inPools = route.page === 'pools';
  const inAudit = route.page === 'audit';
  const inConnections = route.page === 'connections';
  const inVariables = route.page === 'variables';
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Link href={href.dags()} class="brand" aria-label="Sluice home">
        <img src="/favicon.svg" alt="" width={20} height={20} /> Sluice
      </Link>
      <nav aria-label="Main">
        <Link href={href.dags()} aria-current={!inBackfills && !inAssets && !inPools && !inConnections && !inVariables && !inAudit ? 'page' : undefined}>
          DAGs
        </Link>
        <Link href={href.backfills()} aria-current={inBackfills ? 'page' : undefined}>
          Backfills
        </Link>
        <Link href={href.assets()} aria-current={inAssets ? 'page' : undefined}>
          Assets
        </Link>
        <Link href={href.pools()} aria-current={inPools ? 'page' : undefined}>
          Pools
        </Link>
        <Link href={href.connections()} aria-current={inConnections ? 'page' : undefined}>
          Connections
        </Link>
        <Link href={href.variables()} aria-current={inVariables ? 'page' : undefined}>
          Variables
        </Link>
        <Link href={href.audit()} aria-current={inAudit ? 'page' : undefined}>
          Audit log
        </Link>
      </nav>
      <span class="spacer" />
      <HealthPill />
      <div class="segmented small" role="group" aria-label="Show times in">
        <button type="button" aria-pressed={zone === 'local'} onClick={() => setZone('local')} title="Show times in your local time zone">
          Local
        </button>
        <button type="button" aria-pressed={zone === 'utc'} onClick={() => setZone('utc')} title="Show times in UTC">
          UTC
        </button>
      </div>
      <button type="button" class="icon" onClick={onHelp} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
        ?
      </button>
      <WhoAmI />
      {token.get() && (
        <button
          type="button"
          class="link small"
          onClick={() => {
            token.clear();
            location.reload();
          }}
        >
          Forget token
        </button>
      )}
    </header>
  );
}

/** The token's user and role, quietly: what this UI hides follows from the role. */
function WhoAmI() {
  const me = useMe();
  if (!me) return null;
  return (
    <span class="muted small who" data-user={me.name} data-role={me.role} title={me.name === 'anonymous' ? 'This Sluice has no API tokens: everyone is an admin' : `Signed in with the token of ${me.name}`}>
      {me.name} · {me.role}
    </span>
  );
}

function HealthPill() {
  const health = usePoll('health', (signal) => api.health({ signal }), 5000);
  // An error wins over older data: a webserver that stopped answering must not look healthy.
  if (health.error) {
    return (
      <span class="pill bad" title={health.error.message} role="status" data-health="offline">
        offline
      </span>
    );
  }
  if (!health.data) return null;
  const h = health.data;
  const parts = [
    `metadatabase: ${h.metadatabase.status}`,
    `redis: ${h.redis.status}`,
    `scheduler: ${h.scheduler.status}${h.scheduler.latestHeartbeat ? `, last heartbeat ${describeInstant(h.scheduler.latestHeartbeat).split('\n')[0]}` : ', never seen'}`,
  ];
  const label = h.status === 'healthy' ? 'healthy' : h.scheduler.status !== 'healthy' ? 'no scheduler' : 'unhealthy';
  return (
    <span class={`pill ${h.status === 'healthy' ? 'good' : 'bad'}`} title={parts.join('\n')} role="status" data-health={h.status}>
      {label}
    </span>
  );
}

function TokenForm({ rejected, onSaved }: { rejected: boolean; onSaved: () => void }) {
  const [value, setValue] = useState('');
  return (
    <div class="page narrow-page">
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!value.trim()) return;
          token.set(value.trim());
          onSaved();
        }}
      >
        <h1>API token</h1>
        <p>
          This Sluice requires an API token: the one in <code>SLUICE_API_TOKEN</code>, or yours in <code>SLUICE_API_TOKENS</code>. It
          is kept in this browser tab only, until you close it.
        </p>
        {rejected && (
          <p class="field-error" role="alert">
            That token was not accepted. Check it and try again.
          </p>
        )}
        <label>
          <span>Token</span>
          <input type="password" name="token" autocomplete="current-password" autofocus value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <footer class="dialog-actions">
          <button type="submit" class="primary">
            Sign in
          </button>
        </footer>
      </form>
    </div>
  );
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table class="dense shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                {keys.split(' ').map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
