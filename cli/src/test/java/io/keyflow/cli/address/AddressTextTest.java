package io.keyflow.cli.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressTextTest {
  @Test
  void anAnswerReadsAsTheOutcomeThenTheAddressLineByLine() {
    String json =
        """
        {"address":"shop/checkout/o-1","changed":true,"outcome":"paused",
         "asOf":"2026-12-03T03:00:00Z","subtask":1,"paused":true,"valuesKnown":true,
         "values":{"order":{"typename":"shop.types/OrderState","json":{"status":"awaiting"}},
                   "seen":{"typename":"io.statefun.types/int","withheld":"would restart its clock",
                           "expiration":{"mode":"AFTER_INVOKE","afterMillis":60000}}},
         "backlog":2,"oldestWaiting":{"typename":"shop.types/Approval","json":{"approved":true}},
         "delayed":[{"dueAt":"2026-12-03T03:02:00Z","dueInMillis":120000,
                     "token":"approval-timeout-o-1","target":"shop/checkout/o-1",
                     "typename":"shop.types/ApprovalTimeout","json":{"order":"o-1"}}]}
        """;

    assertThat(AddressText.render(json))
        .isEqualTo(
            """
            paused
            shop/checkout/o-1  (subtask 1, as of 2026-12-03T03:00:00Z)
              paused     yes
              values     order = {"status":"awaiting"}  [shop.types/OrderState]
                         seen = (not read: would restart its clock)  [io.statefun.types/int]  \
            expires 60.0 s after its last read or write
              in flight  none
              backlog    2 waiting
                         oldest: shop.types/Approval {"approved":true}
              delayed    1 pending
                         due 2026-12-03T03:02:00Z (in 120.0 s)  token approval-timeout-o-1  \
            to shop/checkout/o-1: shop.types/ApprovalTimeout {"order":"o-1"}
            """);
  }

  @Test
  void valuesKnownFromTheCheckpointSayWhereTheyComeFromAndWhenTheyExpireIsNotKnownOnline() {
    String json =
        """
        {"address":"ctl/keeper/k","asOf":"2026-12-03T03:00:00Z","subtask":0,"paused":false,
         "valuesKnown":true,"valuesKnownFrom":"the restored checkpoint: no call yet",
         "values":{"last":{"typename":"io.statefun.types/string","value":"k#1",
                           "expiration":{"mode":"AFTER_WRITE","afterMillis":3600000,
                                         "expiresAt":"not known online; see the dump"}}},
         "backlog":0,"delayed":[]}
        """;

    assertThat(AddressText.render(json))
        .contains("  values     known from the restored checkpoint: no call yet\n")
        .contains(
            "             last = \"k#1\"  [io.statefun.types/string]  expires 3600.0 s after its"
                + " last write (when: not known online; see the dump)\n");
  }

  @Test
  void aScheduleReadsAsItsKindTargetTimingNextFireAndCounts() {
    String json =
        """
        {"address":"keyflow/schedules/r-1","asOf":"2026-12-03T03:00:00Z","subtask":1,
         "schedule":{"kind":"dynamic","targetType":"shop/cart","targetIds":["bob"],
                     "every":"PT1H","nextFire":"2026-12-03T04:00:00Z","catchUp":"ONCE",
                     "messageType":"shop.types/CartReminder","fires":2,"missed":0,"late":1}}
        """;

    assertThat(AddressText.render(json))
        .isEqualTo(
            """
            keyflow/schedules/r-1  (subtask 1, as of 2026-12-03T03:00:00Z)
              schedule   dynamic
              target     shop/cart ids bob
              timing     every PT1H
              next fire  2026-12-03T04:00:00Z
              fires      2 delivered, 0 missed, 1 late; catch-up ONCE
              message    shop.types/CartReminder
            """);
  }

  @Test
  void anIdWithoutAScheduleSaysSo() {
    assertThat(
            AddressText.render(
                "{\"address\":\"keyflow/schedules/x\",\"asOf\":\"2026-12-03T03:00:00Z\","
                    + "\"subtask\":0,\"schedule\":null}"))
        .endsWith("  schedule   none with this id\n");
  }
}
