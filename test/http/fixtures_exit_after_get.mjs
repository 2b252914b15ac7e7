// Fetches the URL given as the first argument with a one-minute timeout, prints the body
// and ends without calling exit: the process must end as soon as the work is done, so
// nothing the client keeps (its timeout timers) may hold it open.
import { get } from "anynet/http";

const url = globalThis.Deno ? Deno.args[0] : process.argv[2];
const response = await get(url, { timeout: 60_000 });
console.log(await response.text());
