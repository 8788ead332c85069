// A function written with the official StateFun JavaScript SDK that answers calls made through
// Keyflow's HTTP gateway: it replies to its caller (keyflow/reply:<invocation id>) as it would
// answer any function. `<namespace>/greeter` counts the calls per id and replies
// "hello <message>, call <n>".
// Prints "LISTENING <port>" once it accepts requests.
"use strict";

const http = require("http");
const { StateFun, messageBuilder } = require("apache-flink-statefun");

const namespace = process.argv[2] || "gwjs";
const TEXT = StateFun.customType(
  "gw.types/text",
  (s) => Buffer.from(s, "utf8"),
  (b) => b.toString("utf8")
);
const statefun = new StateFun();

statefun.bind({
  typename: `${namespace}/greeter`,
  specs: [{ name: "calls", type: StateFun.intType() }],
  fn(context, message) {
    const calls = (context.storage.calls || 0) + 1;
    context.storage.calls = calls;
    const caller = context.caller;
    if (caller && caller.namespace === "keyflow" && caller.name === "reply") {
      context.send(
        messageBuilder({
          typename: "keyflow/reply",
          id: caller.id,
          value: `hello ${message.as(TEXT)}, call ${calls}`,
          valueType: TEXT,
        })
      );
    }
  },
});

const server = http.createServer(statefun.handler());
server.listen(0, "127.0.0.1", () => {
  console.log(`LISTENING ${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
