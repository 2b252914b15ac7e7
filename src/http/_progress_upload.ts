/**
 * Sending a request body with its upload progress counted (`onUploadProgress`).
 *
 * fetch reports nothing of a body it sends, so a body for fetch (Deno, Bun, Node with
 * `transport: "fetch"`) goes as a stream that counts what fetch takes from it. All three
 * take a stream body no faster than the socket sends it (measured: about 4 MiB ahead of a
 * server that does not read, then nothing until it does). A body whose size is known is
 * read into bytes first (a Blob, FormData or URLSearchParams as fetch would send it, with
 * the Content-Type fetch would give it) and its `Content-Length` is set: Bun and Node's
 * fetch send the stream with that length, Deno's fetch sends any stream body chunked.
 *
 * Node's transport writes the body itself and says how much the socket has taken
 * ({@linkcode uploadListener}): the body keeps its usual framing there.
 *
 * @module
 */
import type { ProgressReporter } from "./_progress.ts";
import { type AttemptBody, isStream } from "./_request_plan.ts";

/** The size of the pieces a body of known size is handed to fetch in. */
const SLICE_BYTES = 64 * 1024;

/** What fetch is given instead of the caller's body. */
export interface CountedBody {
  body: ReadableStream<Uint8Array>;
  headers: Headers | undefined;
}

/** A stream that hands `bytes` over in slices, counting each as it is taken. */
function sliceStream(bytes: Uint8Array, reporter: ProgressReporter): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        reporter.finish();
        controller.close();
        return;
      }
      const slice = bytes.subarray(offset, offset + SLICE_BYTES);
      offset += slice.byteLength;
      controller.enqueue(slice);
      reporter.add(slice.byteLength);
    },
  }, { highWaterMark: 0 });
}

/** `source` passed through, each chunk counted as it is taken. */
function countedStream(source: ReadableStream<Uint8Array>, reporter: ProgressReporter): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        reporter.finish();
        controller.close();
        return;
      }
      controller.enqueue(value);
      reporter.add(value.byteLength);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * The body and headers to give fetch so that what it sends is counted: a stream stays a
 * stream (its size unknown); anything else is read into bytes and sent with its length.
 */
export async function countedFetchBody(
  body: AttemptBody,
  headers: Headers | undefined,
  reporter: ProgressReporter,
): Promise<CountedBody> {
  if (isStream(body)) return { body: countedStream(body as ReadableStream<Uint8Array>, reporter), headers };
  // A Response reads any other body as fetch would send it, and names its type.
  const asSent = new Response(body);
  // Read before the body: Bun's Response forgets the type once its body is read. A string
  // body's type is the Fetch standard's, which Bun's Response does not show at all.
  const type = typeof body === "string" ? "text/plain;charset=UTF-8" : asSent.headers.get("content-type");
  const bytes = new Uint8Array(await asSent.arrayBuffer());
  const counted = new Headers(headers);
  if (type !== null && !counted.has("content-type")) counted.set("content-type", type);
  counted.set("content-length", String(bytes.byteLength));
  reporter.expect(bytes.byteLength);
  return { body: sliceStream(bytes, reporter), headers: counted };
}

/**
 * What Node's transport calls as the socket takes the body: `bytes` more sent, the whole
 * size when known, `finished` after the last byte. A callback that throws has ended the
 * attempt already (ProgressReporter), so nothing is thrown into the transport.
 */
export function uploadListener(
  reporter: ProgressReporter,
): (bytes: number, total: number | undefined, finished: boolean) => void {
  return (bytes, total, finished) => {
    try {
      reporter.expect(total);
      reporter.add(bytes);
      if (finished) reporter.finish();
    } catch {
      // The reporter has aborted the attempt with the callback's error.
    }
  };
}
