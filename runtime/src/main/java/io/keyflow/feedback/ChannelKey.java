package io.keyflow.feedback;

/** Identifies the channel between the tail and head of one subtask of one job attempt. */
record ChannelKey(String jobId, int subtask, int attempt) {}
