// The pong side of Keyflow's ping-pong test, written with the official StateFun JavaScript SDK.
// A pong at id q-N counts its hits, reports "q-N=<hits>" to the keyflow.test/out egress, and
// answers its ping p-N with the rounds it received minus one.
// Prints "LISTENING <port>" once it accepts requests.
"use strict";

const http = require("http");
const { StateFun, messageBuilder, egressMessageBuilder } = require("apache-flink-statefun");

const namespace = process.argv[2] || "ppjs";
const statefun = new StateFun();

statefun.bind({
  typename: `${namespace}/pong`,
  specs: [{ name: "hits", type: StateFun.intType() }],
  fn(context, message) {
    const hits = (context.storage.hits || 0) + 1;
    context.storage.hits = hits;
    const id = context.self.id;
    context.send(
      egressMessageBuilder({
        typename: "keyflow.test/out",
        value: `${id}=${hits}`,
        valueType: StateFun.stringType(),
      })
    );
    const rounds = parseInt(message.asString(), 10);
    context.send(
      messageBuilder({
        typename: `${namespace}/ping`,
        id: `p-${id.substring(2)}`,
        value: String(rounds - 1),
        valueType: StateFun.stringType(),
      })
    );
  },
});

const server = http.createServer(statefun.handler());
server.listen(0, "127.0.0.1", () => {
  console.log(`LISTENING ${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
