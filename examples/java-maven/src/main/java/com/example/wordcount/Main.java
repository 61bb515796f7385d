package com.example.wordcount;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Counts words in its arguments, or in standard input when there are none. */
public final class Main {
    private Main() {}

    static Map<String, Integer> count(String text) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String w : text.toLowerCase().split("[^\\p{L}\\p{N}']+")) {
            if (!w.isEmpty()) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        return counts;
    }

    public static void main(String[] args) throws IOException {
        String text;
        if (args.length > 0) {
            text = String.join(" ", args);
        } else {
            StringBuilder sb = new StringBuilder();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                sb.append(line).append('\n');
            }
            text = sb.toString();
        }
        Map<String, Integer> counts = count(text);
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("words=" + total + " distinct=" + counts.size() + " " + counts
                + " (java " + System.getProperty("java.version") + ")");
    }
}
