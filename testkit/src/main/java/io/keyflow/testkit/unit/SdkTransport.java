package io.keyflow.testkit.unit;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slice;
import org.apache.flink.statefun.sdk.java.slice.Slices;

/** Hands the request bytes to the SDK's handler in this JVM, as an HTTP server would. */
record SdkTransport(RequestReplyHandler handler) implements FunctionTransport {
  @Override
  public byte[] exchange(byte[] toFunction, Duration timeout) {
    try {
      Slice response =
          handler.handle(Slices.wrap(toFunction)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return response.toByteArray();
    } catch (ExecutionException e) {
      throw FunctionCallFailed.failed(describe(), e.getCause());
    } catch (TimeoutException e) {
      throw FunctionCallFailed.timedOut(describe(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FunctionCallFailed.failed(describe(), e);
    } catch (RuntimeException e) {
      throw FunctionCallFailed.failed(describe(), e);
    }
  }

  @Override
  public String describe() {
    return "the SDK handler in this JVM";
  }
}
