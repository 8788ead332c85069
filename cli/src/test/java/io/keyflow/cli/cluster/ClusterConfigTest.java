package io.keyflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {
  @TempDir Path conf;

  @Test
  void processesTakeEnvJavaOptsAllThenTheOptionsOfTheirRoleAsFlinksScriptsDo() throws Exception {
    Files.writeString(
        conf.resolve("config.yaml"),
        """
        # env.java.opts.jobmanager: -Dcommented=out
        env.java.opts.all: -Da=1  -Db=2
        env.java.opts.taskmanager: "-javaagent:/cluster/lib/keyflow-job.jar"
        env.java.opts.jobmanager: -Djm=yes
        nested:
          env.java.opts.all: -Dnot=top-level
        """);

    assertThat(ClusterConfig.javaOptions(conf, false))
        .containsExactly("-Da=1", "-Db=2", "-javaagent:/cluster/lib/keyflow-job.jar");
    assertThat(ClusterConfig.javaOptions(conf, true)).containsExactly("-Da=1", "-Db=2", "-Djm=yes");
  }

  @Test
  void withoutEnvJavaOptsAProcessGetsNoOptionsFromTheConfiguration() throws Exception {
    Files.writeString(conf.resolve("config.yaml"), "taskmanager.numberOfTaskSlots: 1\n");

    assertThat(ClusterConfig.javaOptions(conf, false)).isEmpty();
  }
}
