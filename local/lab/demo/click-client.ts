import type { DemoClick } from './click-generator';

/**
 * A client of POST /clicks, as a shop front end's beacon would be: batches of clicks, each stamped
 * when sent (minus how long ago its page was viewed), a 503 retried with the same click ids (the
 * analytics count each once), and a pause between batches so the clicks flow alongside the orders.
 */
export interface PostClicksResult {
  /** Clicks the API answered 202 for. */
  readonly accepted: number;
  readonly refused: readonly { readonly status: number; readonly body: string; readonly clicks: number }[];
}

const MAX_ATTEMPTS = 5;

export async function postClicks(
  apiUrl: string,
  clicks: readonly DemoClick[],
  {
    batchSize = 100,
    pauseMs = 50,
    onPosted,
  }: {
    /** At most the click API's limit per request (500). */
    batchSize?: number;
    pauseMs?: number;
    /** Called after each batch with the number of clicks sent so far. */
    onPosted?: (done: number) => void;
  } = {},
): Promise<PostClicksResult> {
  let accepted = 0;
  const refused: { status: number; body: string; clicks: number }[] = [];
  for (let start = 0; start < clicks.length; start += batchSize) {
    const batch = clicks.slice(start, start + batchSize);
    const now = Date.now();
    const body = JSON.stringify(
      batch.map(({ secondsBeforeSend, ...click }) => ({
        ...click,
        timestamp: new Date(now - secondsBeforeSend * 1_000).toISOString(),
      })),
    );
    const response = await postWithRetry(`${apiUrl}/clicks`, body);
    if (response.status === 202) accepted += batch.length;
    else refused.push({ status: response.status, body: response.body.slice(0, 200), clicks: batch.length });
    onPosted?.(Math.min(clicks.length, start + batchSize));
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return { accepted, refused };
}

async function postWithRetry(url: string, body: string): Promise<{ status: number; body: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      // The same batch again: same click ids, so a click the first attempt did publish counts once.
      if ((response.status === 503 || response.status === 500) && attempt < MAX_ATTEMPTS) {
        await backoff(attempt);
        continue;
      }
      return { status: response.status, body: text };
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
}
