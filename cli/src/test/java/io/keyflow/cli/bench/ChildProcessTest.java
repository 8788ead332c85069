package io.keyflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChildProcessTest {
  @Test
  void eachChildTakesJavaOptionsFromAVariableNamedAfterIt() {
    assertThat(ChildProcess.javaOptionsVariable("functions"))
        .isEqualTo("KEYFLOW_BENCH_FUNCTIONS_JAVA_OPTS");
    assertThat(ChildProcess.javaOptionsVariable("trace-sink"))
        .isEqualTo("KEYFLOW_BENCH_TRACE_SINK_JAVA_OPTS");
  }
}
