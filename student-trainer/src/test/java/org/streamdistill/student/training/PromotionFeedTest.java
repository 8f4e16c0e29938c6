package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.streamdistill.student.training.TrainerHarness.PROMOTIONS_P0;
import static org.streamdistill.student.training.TrainingRecords.promotion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/** Reading model.promotions: the history at start, then what arrives, each record decoded or refused. */
class PromotionFeedTest {

  private final AvroWireCodec<PromotionEvent> codec = new AvroWireCodec<>(new InMemorySchemaRegistryClient(),
      Topics.PROMOTIONS.valueSubject(), PromotionEvent.class);
  private final LogConsumer consumer = new LogConsumer().withTopic(Topics.PROMOTIONS.name(), 1);
  private final PromotionFeed feed = new PromotionFeed(consumer, Topics.PROMOTIONS, codec);

  private void append(PromotionEvent event) {
    consumer.append(PROMOTIONS_P0, key(), codec.encode(event));
  }

  private static byte[] key() {
    return "student".getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldReadTheHistoryToItsEndSkippingUndecodableRecordsThenFollowNewOnes() {
    // Given a history of a PROMOTE, an undecodable record and a HOLD
    PromotionEvent promote = promotion("PROMOTE", null, "student-v1", "challenger");
    PromotionEvent hold = promotion("HOLD", "student-v1", "student-v2", "challenger");
    append(promote);
    consumer.append(PROMOTIONS_P0, key(), new byte[] {1, 2, 3});
    append(hold);

    // When the feed reads the history, then a ROLLBACK and garbage arrive
    List<PromotionEvent> history = feed.readHistory(Duration.ofSeconds(5));
    PromotionEvent rollback = promotion("ROLLBACK", "student-v2", "student-v1", "previous");
    append(rollback);
    consumer.append(PROMOTIONS_P0, key(), new byte[] {9});
    List<PromotionFeed.Received> received = feed.poll(Duration.ZERO);

    // Then the history holds the two decodable events; the new records come once each, the garbage with its error
    assertThat(history).containsExactly(promote, hold);
    assertThat(received).extracting(PromotionFeed.Received::event).containsExactly(rollback, null);
    assertThat(received).extracting(r -> r.record().offset()).containsExactly(3L, 4L);
    assertThat(received.get(1).error()).isInstanceOf(UndecodableRecordException.class);
    assertThat(feed.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void shouldRefuseToStartWithoutThePromotionsTopic() {
    PromotionFeed missing = new PromotionFeed(new LogConsumer(), Topics.PROMOTIONS, codec);

    assertThatThrownBy(() -> missing.readHistory(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("topic model.promotions does not exist: provision the pipeline's topics first (bin/streamdistill "
            + "provision)");
  }
}
