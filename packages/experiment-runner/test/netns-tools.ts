// Small network programs the kernel tests run inside a testbed's hosts (`ip netns exec`):
//   udp-listen <port>             prints READY, then GOT <text> per datagram
//   udp-send <host> <port> <text> prints SENT, or ERR <code> when the kernel refuses at once
//   tcp-sink <port>               prints READY, then MB <n> each time another MiB arrived
//   tcp-blast <host> <port> <MiB> sends that much as fast as TCP lets it, prints DONE
//   hold                          prints READY and waits to be killed (a process in a host)
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";

const [cmd, ...args] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);
const MIB = 1024 * 1024;

switch (cmd) {
  case "udp-listen": {
    const s = createSocket("udp4");
    s.on("message", (m) => say(`GOT ${m.toString()}`));
    s.bind(Number(args[0]), () => say("READY"));
    break;
  }
  case "udp-send": {
    const s = createSocket("udp4");
    s.send(args[2]!, Number(args[1]), args[0]!, (e) => {
      say(e ? `ERR ${(e as NodeJS.ErrnoException).code}` : "SENT");
      s.close();
    });
    break;
  }
  case "tcp-sink": {
    let bytes = 0;
    let reported = 0;
    createServer((sock) => {
      sock.on("data", (d) => {
        bytes += d.length;
        while (bytes >= (reported + 1) * MIB) say(`MB ${++reported}`);
      });
    }).listen(Number(args[0]), () => say("READY"));
    break;
  }
  case "tcp-blast": {
    const total = Number(args[2]) * MIB;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const sock = connect(Number(args[1]), args[0]!, () => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!sock.write(chunk)) return void sock.once("drain", pump);
        }
        sock.end(() => say("DONE"));
      };
      pump();
    });
    break;
  }
  case "hold":
    say("READY");
    setInterval(() => undefined, 1 << 30);
    break;
  default:
    throw new Error(`netns-tools: unknown command ${cmd}`);
}
