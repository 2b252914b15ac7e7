// Prints what the server at the URL given as the first argument answers (its HTTP
// version) to a bare fetch and then to three get() calls through fetch with a timeout, on
// one line. On Node the last get() goes out through the abort hook's dispatcher without a
// signal, so it speaks whatever protocol the dispatcher the hook forwards to negotiates.
import { get } from "anynet/http";

const url = process.argv[2];
const answers = [await (await fetch(url)).text()];
for (let i = 0; i < 3; i++) answers.push(await (await get(url, { timeout: 5000, transport: "fetch" })).text());
console.log(answers.join(" "));
