package io.keyflow.module;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" hints for misspelt keys, kinds and values. */
public final class Spelling {

  private static final int MAX_DISTANCE = 2;

  private Spelling() {}

  /** Returns the candidate closest to {@code typed} within edit distance 2, or null. */
  static String closest(String typed, Collection<String> candidates) {
    String best = null;
    int bestDistance = MAX_DISTANCE + 1;
    String a = typed.toLowerCase(Locale.ROOT);
    for (String candidate : candidates) {
      int d = distance(a, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Formats a hint for {@code typed}, e.g. {@code " (did you mean 'call'?)"}, or "". */
  public static String hint(String typed, Collection<String> candidates) {
    String closest = closest(typed, candidates);
    return closest == null ? "" : " (did you mean '" + closest + "'?)";
  }

  // Edit distance counting an adjacent transposition as one edit (optimal string alignment),
  // since swapped letters are the most common typo.
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
