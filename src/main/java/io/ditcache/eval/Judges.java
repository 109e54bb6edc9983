package io.ditcache.eval;

import io.ditcache.data.Dataset;
import io.ditcache.data.FashionMnist;
import io.ditcache.eval.classifier.FashionClassifier;
import io.ditcache.model.DiTConfig;
import java.io.IOException;

/** Which classifier judges a model's samples, and the reference feature statistics for its FID. */
public final class Judges {
    private Judges() {
    }

    /** The shipped Fashion-MNIST classifier for 32x32x1, 10-class models; null (no class metrics) otherwise. */
    public static SampleJudge forModel(DiTConfig c) {
        if (c.inChannels() != 1 || c.inputSize() != FashionClassifier.IMAGE_SIZE || c.numClasses() != FashionClassifier.CLASSES) {
            return null;
        }
        return shippedClassifier();
    }

    /** The Fashion-MNIST classifier shipped in the jar. */
    public static SampleJudge shippedClassifier() {
        return FashionClassifier.loadDefault();
    }

    /**
     * Classifier features of the 10,000 Fashion-MNIST test images in {@code data}, the FID's reference.
     *
     * @throws java.nio.file.NoSuchFileException naming the missing file and how to install the dataset
     */
    public static FeatureStatistics testSetStatistics(SampleJudge judge, FashionMnist data) throws IOException {
        Dataset test = data.test();
        return FeatureStatistics.of(judge.features(test.images()));
    }
}
