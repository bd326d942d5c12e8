package dev.loft.protocol;

/**
 * The hub decodes with {@link FrameCodec#relaying}, which keeps {@code data} as raw text instead
 * of a tree: it must refuse every malformed frame with the same code as the tree codec (a raw
 * span that slipped through unchecked would be written verbatim into other peers' frames).
 */
class RelayingCodecRefusesTheSameFramesTest extends MalformedFramesGetStableCodesTest {
  private static final FrameCodec RELAYING = FrameCodec.relaying(ProtocolLimits.DEFAULTS);

  @Override
  FrameCodec codec() {
    return RELAYING;
  }
}
