package dev.quarry.bnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Kernels;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reference vectors' {@code __metadata__} holds the packed quant_state JSON bitsandbytes wrote for
 * every 4-bit case. quarry's text for each case — built by {@link QuantStateJson} from what the case
 * is (format, blocksize, the input tensor's dtype and shape) and, under double quantization, from the
 * offset quarry computes by quantizing the input — must be the same string; where quarry's exact mean
 * is one ulp from the GPU's sum (bnb-exact.md §3), the same string once given the GPU's offset.
 */
class QuantStateJsonTest {
  /** {@code <input>/<nf4|fp4>/bs<B>/<plain|dq>/quant_state.bitsandbytes__<nf4|fp4>} */
  private static final Pattern KEY = Pattern.compile("([^/]+)/(nf4|fp4)/bs(\\d+)/(plain|dq)/quant_state\\.bitsandbytes__\\2");
  /** As FourBitDoubleQuantVectorsTest counts them: the exact mean equals the GPU's offset in 40 of 54 cases. */
  private static final int OFFSETS_EQUAL_TO_THE_GPU = 40;

  @Test
  void everyCaseOfTheReferenceVectorsGetsTheGpusText() throws IOException {
    List<SafetensorsFile> files = new ArrayList<>();
    Map<String, SafetensorsFile> inputs = new HashMap<>();
    Map<String, String> states = new HashMap<>();
    try {
      for (int i = 1; i <= 3; i++) {
        String name = String.format(Locale.ROOT, "vectors/bnb_reference_vectors-%02d-of-03.safetensors", i);
        SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(ReferenceData.file(name)));
        files.add(f);
        f.header().tensors().forEach(t -> inputs.put(t.name(), f));
        states.putAll(f.header().metadata());
      }
      int plain = 0;
      int doubleQuant = 0;
      int equalOffsets = 0;
      for (Map.Entry<String, String> state : states.entrySet()) {
        Matcher key = KEY.matcher(state.getKey());
        if (!key.matches()) {
          continue;
        }
        String inputName = "in/" + key.group(1);
        SafetensorsFile file = inputs.get(inputName);
        assertNotNull(file, inputName);
        TensorEntry input = file.header().tensor(inputName);
        ElementType type = ElementType.fromSafetensorsName(input.dtype().name());
        FourBitFormat format = FourBitFormat.valueOf(key.group(2).toUpperCase(Locale.ROOT));
        int blocksize = Integer.parseInt(key.group(3));
        byte[] text;
        if (key.group(4).equals("plain")) {
          text = QuantStateJson.plain(format.quantType(), blocksize, type.torchName(), input.shape());
          plain++;
        } else {
          float offset = offset(file, input, type, format, blocksize);
          text = QuantStateJson.doubleQuant(format.quantType(), blocksize, type.torchName(), input.shape(), offset);
          if (!state.getValue().equals(new String(text, StandardCharsets.UTF_8))) {
            float gpuOffset = gpuOffset(inputs, state.getKey());
            text = QuantStateJson.doubleQuant(format.quantType(), blocksize, type.torchName(), input.shape(), gpuOffset);
          } else {
            equalOffsets++;
          }
          doubleQuant++;
        }
        assertEquals(state.getValue(), new String(text, StandardCharsets.UTF_8), state.getKey());
      }
      assertEquals(List.of(54, 54, OFFSETS_EQUAL_TO_THE_GPU), List.of(plain, doubleQuant, equalOffsets),
          "plain cases, double-quant cases, offsets equal to the GPU's");
    } finally {
      for (SafetensorsFile f : files) {
        f.close();
      }
    }
  }

  /** The nested offset quarry writes: the exact mean of the absmax of the input's blocks, from the kernels. */
  private static float offset(SafetensorsFile file, TensorEntry input, ElementType type, FourBitFormat format,
      int blocksize) throws IOException {
    ByteBuffer data = LittleEndian.allocate(input.byteSize());
    file.read(input, 0, data);
    data.flip();
    long n = input.elementCount();
    long blocks = (n + blocksize - 1) / blocksize;
    FourBitQuantizer quantizer = new FourBitQuantizer(Kernels.get(), format, type, blocksize);
    quantizer.quantize(data, n, ByteBuffer.allocate(Math.toIntExact((n + 1) / 2)), LittleEndian.allocate(blocks * 4));
    return quantizer.absmaxSum().mean(blocks);
  }

  /** The GPU's float32 offset, the case's {@code offset} tensor. */
  private static float gpuOffset(Map<String, SafetensorsFile> files, String stateKey) throws IOException {
    String name = stateKey.substring(0, stateKey.lastIndexOf("/quant_state")) + "/offset";
    TensorEntry entry = files.get(name).header().tensor(name);
    ByteBuffer value = LittleEndian.allocate(entry.byteSize());
    files.get(name).read(entry, 0, value);
    return value.flip().getFloat();
  }
}
