// The far end of bench:cluster's wire-ceiling measurement, run as its own process: a bare `ws`
// server on loopback that counts the messages it receives. It prints "PORT <n>" when it
// listens; a text message "end" makes it answer "<count> <firstMs> <lastMs>" (its own clock)
// and then exit.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("listening", () => {
  const address = wss.address();
  if (typeof address === "object" && address !== null)
    process.stdout.write(`PORT ${address.port}\n`);
});
wss.on("connection", (ws) => {
  let count = 0;
  let firstMs = 0;
  let lastMs = 0;
  ws.on("message", (data, isBinary) => {
    if (!isBinary && (data as Buffer).length === 3 && data.toString() === "end") {
      ws.send(`${count} ${firstMs} ${lastMs}`, () => {
        wss.close();
        process.exit(0);
      });
      return;
    }
    if (count === 0) firstMs = performance.now();
    count++;
    lastMs = performance.now();
  });
});
