// A function written with the official StateFun JavaScript SDK that creates its own schedule on
// Keyflow's built-in address keyflow/schedules, takes the reminders it fires, and deletes the
// schedule after the third. `<namespace>/reminder` at id U, told "start", sets the schedule
// reminder-U (every <every>) and writes each reminder it gets to Kafka through the egress
// <namespace>/out on <topic>, as "fire U <fire time millis> <missed> <received at millis>
// reminder-U"; after the third it deletes the schedule and writes "deleted ...".
// Prints "LISTENING <port>" once it accepts requests.
"use strict";

const http = require("http");
const { StateFun, messageBuilder, kafkaEgressMessage } = require("apache-flink-statefun");

const namespace = process.argv[2] || "scjs";
const topic = process.argv[3];
const every = process.argv[4] || "2s";
const FIRE = StateFun.jsonType("keyflow/schedule.fire");
const SET = StateFun.jsonType("keyflow/schedule.set");
const DELETE = StateFun.jsonType("keyflow/schedule.delete");
const statefun = new StateFun();

function record(context, what, fire) {
  context.send(
    kafkaEgressMessage({
      typename: `${namespace}/out`,
      topic,
      key: fire.schedule,
      value: [what, context.self.id, fire.fireTimeMillis, fire.missed, Date.now(), fire.schedule].join(" "),
    })
  );
}

statefun.bind({
  typename: `${namespace}/reminder`,
  specs: [{ name: "seen", type: StateFun.intType() }],
  fn(context, message) {
    const schedule = `reminder-${context.self.id}`;
    if (message.isString() && message.asString() === "start") {
      context.send(
        messageBuilder({
          typename: "keyflow/schedules",
          id: schedule,
          value: {
            target: `${namespace}/reminder/${context.self.id}`,
            every,
            message: { type: "test.types/Remind", text: "come back" },
          },
          valueType: SET,
        })
      );
    } else if (message.valueTypeName === "keyflow/schedule.fire") {
      const fire = message.as(FIRE);
      if (fire.message.text !== "come back") {
        throw new Error(`unexpected reminder ${JSON.stringify(fire)}`);
      }
      const seen = (context.storage.seen || 0) + 1;
      context.storage.seen = seen;
      record(context, "fire", fire);
      if (seen === 3) {
        context.send(
          messageBuilder({ typename: "keyflow/schedules", id: schedule, value: {}, valueType: DELETE })
        );
        record(context, "deleted", fire);
      }
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
