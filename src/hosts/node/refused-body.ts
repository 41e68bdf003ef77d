// A body refused part-way (413) is not read to its end: the request stream is cancelled, which
// closes the socket under the response. Saying `Connection: close` tells a keep-alive client not
// to send its next request down that socket (it would meet a reset: issue 17, item 6).
type Fetch = (request: Request, ...rest: any[]) => Response | Promise<Response>;

export function closeAfterRefusedBody(fetch: Fetch): Fetch {
  return async (request, ...rest) => {
    const response = await fetch(request, ...rest);
    if (response.status === 413) response.headers.set('connection', 'close');
    return response;
  };
}
