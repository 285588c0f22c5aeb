// The signed-catalog panel: a signed compact catalog (`stepstone catalog pack --sign`) opened
// with the pinned catalog key by the core (`openCompactCatalog`): what a device checks before it
// trusts the catalog, and the state it stores for next time.
import { esc } from './util.js';

const when = (unix) => `${unix} (${new Date(unix * 1000).toISOString().replace('.000Z', 'Z')})`;

export function openedHtml(o) {
  const h = o.header;
  return `<div class="ok" id="signed-verdict"><b>signature valid</b>: sequence ${h.sequence}, issued ${esc(when(h.issued))}, ` +
    `expires ${esc(when(h.expires))}, key ${esc(h.key_id)}, compact catalog payload of ${h.payload_len.toLocaleString('en')} bytes</div>` +
    `<p>state to store (pass it as <i>last</i> next time; a lower sequence is then <code>signed_catalog.rollback</code>):</p>` +
    `<pre id="signed-state">${esc(JSON.stringify(o.state))}</pre>`;
}
