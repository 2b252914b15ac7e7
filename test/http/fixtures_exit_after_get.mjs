// Fetches the URL given as the first argument with a one-minute timeout, prints the body
// (or with "unread" as the second argument only the status, leaving the body unread) and
// ends without calling exit: the process must end as soon as the work is done, so nothing
// the client keeps (its timeout timers, its pooled connections) may hold it open.
import { get } from "anynet/http";

const [url, unread] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const response = await get(url, { timeout: 60_000 });
console.log(unread === "unread" ? String(response.status) : await response.text());
