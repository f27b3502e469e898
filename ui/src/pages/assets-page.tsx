import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type AssetDetail, type AssetNode } from '../api/client.js';
import { findingsHref } from '../app/finding-filters.js';
import { can, useSession } from '../app/session.js';
import { LabelledSelect } from '../components/labelled-select.js';
import { Link } from '../components/link.js';
import { VisibleText } from '../components/visible-text.js';

const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
const EXPOSURES = ['internet', 'internal'] as const;

/** The in-app path of an asset's page. */
export const assetHref = (asset: string): string => `/assets/${encodeURIComponent(asset)}`;

/** Every known asset as trees host → site → application, with the registry's attributes and open findings. */
export function AssetsPage() {
  const assets = useQuery({ queryKey: ['assets'], queryFn: async () => unwrap(await api.GET('/api/v1/assets', { params: { query: { limit: 1000 } } })) });
  if (assets.isPending) return <p className="loading">Loading assets…</p>;
  if (assets.isError) return <p role="alert">{assets.error.message}</p>;
  const rows = flatten(assets.data.items, 0);
  return (
    <section aria-labelledby="assets-title">
      <h1 id="assets-title">Assets</h1>
      <p className="muted">
        Hosts, their sites and applications, the riskiest first. {assets.data.total > assets.data.items.length ? `The first ${assets.data.items.length} of ${assets.data.total} hosts.` : null}
      </p>
      {rows.length === 0 ? <p>No asset is known yet: run a scan or push a report.</p> : null}
      <table className="grid asset-tree" data-testid="asset-tree">
        <thead>
          <tr>
            <th scope="col">Asset</th>
            <th scope="col">Kind</th>
            <th scope="col">Criticality</th>
            <th scope="col">Exposure</th>
            <th scope="col">Tags</th>
            <th scope="col">Owners</th>
            <th scope="col">Open</th>
            <th scope="col">Risk (sum)</th>
            <th scope="col">With everything under it</th>
            <th scope="col">Last scan</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ node, depth }) => (
            <tr key={node.asset} data-asset={node.asset} data-depth={depth}>
              <th scope="row" className={`depth-${depth}`}>
                <Link to={assetHref(node.asset)}>
                  <VisibleText text={node.asset} />
                </Link>
              </th>
              <td>{node.kind}</td>
              <td>{node.criticality ?? '–'}</td>
              <td>{node.exposure ?? '–'}</td>
              <td>
                <Words words={node.tags} className="tag" />
              </td>
              <td>
                <Words words={node.owners} />
              </td>
              <td>
                <Link to={findingsHref({ asset: node.asset })} aria-label={`${node.open} open findings on ${node.asset}`}>
                  {node.open}
                </Link>
              </td>
              <td>{Math.round(node.riskSum)}</td>
              <td>
                {node.totalOpen} open, risk {Math.round(node.totalRisk)}
              </td>
              <td>{node.lastScan ?? 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Depth-first rows of the trees, each with its level for the indentation. */
function flatten(nodes: readonly AssetNode[], depth: number): { node: AssetNode; depth: number }[] {
  return nodes.flatMap((node) => [{ node, depth }, ...flatten((node.children ?? []) as AssetNode[], depth + 1)]);
}

/** A list of user-given words (tags, owners) as inert text. */
function Words(props: { readonly words: readonly string[]; readonly className?: string }) {
  if (props.words.length === 0) return <>–</>;
  return (
    <ul className="words">
      {props.words.map((word) => (
        <li key={word} className={props.className}>
          <VisibleText text={word} />
        </li>
      ))}
    </ul>
  );
}

/**
 * An asset's open findings, freshness and attributes at the top of its page; operators edit the attributes there,
 * viewers see them only.
 */
export function AssetDetails(props: { readonly asset: string }) {
  const user = useSession();
  const detail = useQuery({
    queryKey: ['asset', props.asset],
    queryFn: async () => {
      const result = await api.GET('/api/v1/assets/{asset}', { params: { path: { asset: props.asset } } });
      return result.response.status === 404 ? null : unwrap(result);
    },
  });
  if (detail.isPending) return null;
  if (detail.isError) return <p role="alert">{detail.error.message}</p>;
  const d = detail.data;
  return (
    <section aria-labelledby="asset-attributes" data-testid="asset-details">
      {d === null ? (
        <p data-testid="asset-facts">No finding, run or registry entry names this asset.</p>
      ) : (
        <p data-testid="asset-facts">
          {d.open} open findings, risk {Math.round(d.riskSum)} in all (highest {d.maxRisk}); last scanned {d.lastScan ?? 'never by a recorded run'}, last found anything {d.lastFound ?? '–'}.
        </p>
      )}
      <h2 id="asset-attributes">Attributes</h2>
      {d === null ? null : <Attributes detail={d} />}
      {can(user, 'operator') ? <AttributesForm key={props.asset} asset={props.asset} detail={d} /> : null}
    </section>
  );
}

function Attributes(props: { readonly detail: AssetDetail }) {
  const d = props.detail;
  const inherited = (own: string | undefined, effective: string | undefined) => (own === undefined && effective !== undefined ? `${effective} (inherited)` : (own ?? 'not said'));
  return (
    <dl className="facts" data-testid="asset-attributes">
      <dt>Criticality</dt>
      <dd data-testid="asset-criticality">{inherited(d.criticality, d.effective.criticality)}</dd>
      <dt>Exposure</dt>
      <dd data-testid="asset-exposure">{inherited(d.exposure, d.effective.exposure)}</dd>
      <dt>Tags</dt>
      <dd data-testid="asset-tags">
        <Words words={d.effective.tags ?? []} className="tag" />
      </dd>
      <dt>Owners</dt>
      <dd data-testid="asset-owners">
        <Words words={d.effective.owners ?? []} />
      </dd>
      {d.updatedAt === undefined ? null : (
        <>
          <dt>Changed</dt>
          <dd>
            {d.updatedAt} by <VisibleText text={d.updatedBy ?? ''} />
          </dd>
        </>
      )}
    </dl>
  );
}

/** Splits a comma- or line-separated field into its non-empty parts. */
const parts = (text: string, separator: RegExp): string[] => text.split(separator).map((part) => part.trim()).filter((part) => part !== '');

/** Operators: set the asset's own criticality, exposure, tags and owners (children inherit them). */
function AttributesForm(props: { readonly asset: string; readonly detail: AssetDetail | null }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string>();
  const d = props.detail;
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const criticality = text('criticality');
    const exposure = text('exposure');
    const result = await api.PATCH('/api/v1/assets/{asset}', {
      params: { path: { asset: props.asset } },
      body: {
        criticality: (CRITICALITIES as readonly string[]).includes(criticality) ? (criticality as (typeof CRITICALITIES)[number]) : null,
        exposure: (EXPOSURES as readonly string[]).includes(exposure) ? (exposure as (typeof EXPOSURES)[number]) : null,
        tags: parts(text('tags'), /,/),
        owners: parts(text('owners'), /\n/),
      },
    });
    setMessage(result.error === undefined ? 'Attributes saved; runs from now on use them.' : errorMessage(result.error));
    if (result.error === undefined) {
      await queryClient.invalidateQueries({ queryKey: ['asset', props.asset] });
      await queryClient.invalidateQueries({ queryKey: ['assets'] });
    }
  };
  const select = (name: 'criticality' | 'exposure', label: string, options: readonly string[], value: string | undefined) => (
    <LabelledSelect name={name} label={label} options={options} value={value} empty="not said" />
  );
  return (
    <form className="filters" onSubmit={(event) => void save(event)} aria-label="Edit asset attributes" data-testid="asset-edit">
      {select('criticality', 'Criticality', CRITICALITIES, d?.criticality)}
      {select('exposure', 'Exposure', EXPOSURES, d?.exposure)}
      <label>
        Tags (comma-separated)
        <input name="tags" defaultValue={(d?.tags ?? []).join(', ')} maxLength={3300} />
      </label>
      <label>
        Owners (one per line)
        <textarea name="owners" defaultValue={(d?.owners ?? []).join('\n')} rows={2} maxLength={4100} />
      </label>
      <button type="submit">Save attributes</button>
      {message === undefined ? null : <p role="status">{message}</p>}
    </form>
  );
}
