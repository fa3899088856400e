// A minimal webhook receiver for the delivery benchmark, in its own process: answers 204, counts results.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let results = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/count') {
      res.end(String(results));
      return;
    }
    results += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { results: unknown[] }).results.length;
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
