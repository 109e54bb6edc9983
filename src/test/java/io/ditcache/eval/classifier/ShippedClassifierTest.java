package io.ditcache.eval.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ditcache.data.Dataset;
import io.ditcache.data.FashionMnist;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The weights shipped in the jar must classify Fashion-MNIST test images at 90% or better. */
class ShippedClassifierTest {
    @Test
    void shippedWeightsReachNinetyPercentOnTheFirstTwoThousandTestImages() throws IOException {
        FashionClassifier model = FashionClassifier.loadDefault();
        assertEquals(128, model.featureSize());
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed at "
                + FashionMnist.DEFAULT_DIR + " (sudo apt-get install -y dataset-fashion-mnist); skipping the accuracy check");
        Dataset.Batch head = new FashionMnist().test().head(2000);
        double accuracy = model.accuracy(head.images(), head.labels());
        assertTrue(accuracy >= 0.90, "shipped classifier accuracy on the first 2000 test images is " + accuracy);
    }
}
