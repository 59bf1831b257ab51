package dev.quarry.quantize;

/** What a quantization of one file did, for the CLI to report. */
public record QuantizeSummary(int tensorsIn, int quantized, int tensorsOut, long bytesIn, long bytesOut) {}
