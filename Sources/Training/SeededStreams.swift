/// Purposes of the random streams used by training (the first key of every `SplitMix64(seed:keys:)` stream),
/// so no two uses share numbers.
enum StreamPurpose: UInt64 {
    case negatives = 1, shuffle = 2, dropout = 3, initialization = 4
}
