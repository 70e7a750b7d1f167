package io.continuo.agent.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncLibraryTest {
    @TempDir
    Path dir;

    @Test
    void bundledLibraryPerPlatform() {
        assertThat(AsyncLibrary.platform("Linux", "amd64")).isEqualTo("linux-x64");
        assertThat(AsyncLibrary.platform("Linux", "x86_64")).isEqualTo("linux-x64");
        assertThat(AsyncLibrary.platform("Linux", "aarch64")).isEqualTo("linux-arm64");
        assertThat(AsyncLibrary.platform("Mac OS X", "aarch64")).isNull();
        assertThat(AsyncLibrary.platform("Windows 11", "amd64")).isNull();
        assertThat(AsyncLibrary.platform("Linux", "ppc64le")).isNull();
    }

    @Test
    void detectsALibraryAlreadyMapped() throws Exception {
        Path maps = dir.resolve("maps");
        Files.writeString(maps, "7f00-7f01 r--p 00000000 fe:00 1 /usr/lib/libc.so.6\n"
                + "7f02-7f03 r-xp 00000000 fe:00 2 /opt/app/libasyncProfiler.so\n");
        assertThat(AsyncLibrary.alreadyLoaded(maps)).isEqualTo("/opt/app/libasyncProfiler.so");
        Files.writeString(maps, "7f00-7f01 r--p 00000000 fe:00 1 /usr/lib/libc.so.6\n");
        assertThat(AsyncLibrary.alreadyLoaded(maps)).isNull();
        assertThat(AsyncLibrary.alreadyLoaded(dir.resolve("missing"))).isNull();
    }

    @Test
    void refusesUserPathsThatAreNotLibraries() throws Exception {
        assertThatThrownBy(() -> AsyncLibrary.load(dir.resolve("none.so").toString()))
                .isInstanceOf(AsyncLibrary.Unavailable.class).hasMessageContaining("is not a file");
        Path junk = Files.writeString(dir.resolve("junk.so"), "junk");
        assertThatThrownBy(() -> AsyncLibrary.load(junk.toString()))
                .isInstanceOf(AsyncLibrary.Unavailable.class).hasMessageContaining("not an ELF shared library");
    }
}
