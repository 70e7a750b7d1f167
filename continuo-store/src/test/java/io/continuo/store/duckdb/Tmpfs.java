package io.continuo.store.duckdb;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, so the disk really fills (ENOSPC from the kernel, as in production). Needs root
 * (CI runs as root): when the mount is refused the test is skipped loudly, or fails when CI=true.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    public static Tmpfs mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs",
                dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!ok) {
            String why = "cannot mount a tmpfs (needs root): " + out.strip();
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why + " — CI runs as root, so this must work there");
            }
            System.err.println("SKIPPED disk-full test: " + why);
            Assumptions.abort(why);
        }
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills the file system with a filler file until at most {@code leaveBytes} remain free; returns the file. */
    public Path fill(long leaveBytes) throws IOException {
        Path filler = dir.resolve("filler-" + System.nanoTime());
        long free = Files.getFileStore(dir).getUsableSpace();
        long size = Math.max(0, free - leaveBytes);
        byte[] block = new byte[1 << 16];
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long written = 0;
            while (written < size) {
                int n = (int) Math.min(block.length, size - written);
                written += ch.write(java.nio.ByteBuffer.wrap(block, 0, n));
            }
        } catch (IOException e) {
            // full already: fine, that is what the filler is for
        }
        return filler;
    }

    public long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("umount", "-l", dir.toString())).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
