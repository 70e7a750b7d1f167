package io.continuo.server.ui;

import io.continuo.server.ContinuoServer;
import io.continuo.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loading and error states in a real headless Chromium: a slow network (Chrome's own network emulation through
 * chromedriver) and a server that is stopped and started again on the same port and data. A panel whose query
 * runs says so and never passes the previous answer off as current; an error offers a retry that works; the
 * error goes away when the server is back. Waits are on page state; skips loudly without Chromium.
 */
final class WebUiLoadingStatesTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static ContinuoServer server;
    static ServerConfig config;
    static ChromeDriver driver;
    static String missing;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = Path.of(System.getProperty("continuo.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("continuo.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            missing = "chromium not installed: apt-get install chromium chromium-driver (looked for "
                    + chromium + " and " + chromedriver + ")";
            System.err.println("WARNING: WebUiLoadingStatesTest skipped: " + missing);
            return;
        }
        config = ServerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")).withSelfProfile(false);
        server = ContinuoServer.start(config);
        // the same port after a restart, so the open page finds the server again
        config = config.withPort(server.port());
        long now = System.currentTimeMillis() / 1000;
        ingest("service=app&format=collapsed&type=cpu&from=" + (now - 300) + "&until=" + (now - 290), "main;cpuWork 100\n");
        ingest("service=app&format=collapsed&type=alloc_bytes&from=" + (now - 300) + "&until=" + (now - 290), "main;allocWork 4096\n");

        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")), "--window-size=1400,1000",
                "--force-device-scale-factor=1", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @BeforeEach
    void needsChromium() {
        if (missing != null) {
            // CI installs Chromium (.ci/run): there a missing browser is a broken build, not a skip
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
    }

    @AfterEach
    void fullSpeedAndServerUp() {
        if (driver == null) {
            return;
        }
        driver.deleteNetworkConditions();
        if (server == null) {
            server = ContinuoServer.start(config);
        }
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static void ingest(String query, String collapsed) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/api/v1/ingest?" + query))
                .POST(HttpRequest.BodyPublishers.ofString(collapsed, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static void open(String path) {
        driver.get("http://127.0.0.1:" + config.port() + path);
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    static void waitForFlameTotal(long total) {
        waiting().withMessage("flame graph with total " + total).until(d ->
                Long.valueOf(total).equals(js("const g = window.continuo.explore.flame; return g.n ? g.a.total[0] : -1;")));
    }

    static String busy() {
        return String.valueOf(js("const p = document.getElementById('flame-layout').parentElement; return p.getAttribute('aria-busy') + '|' + (p.dataset.busyLabel || '');"));
    }

    @Test
    void onASlowNetworkThePanelSaysItIsLoadingAndTheOldTypeIsNotShownAsCurrent() {
        open("/explore?service=app&type=cpu");
        waitForFlameTotal(100);
        ChromiumNetworkConditions slow = new ChromiumNetworkConditions();
        slow.setLatency(Duration.ofMillis(2500));
        driver.setNetworkConditions(slow);
        new Select(driver.findElement(By.id("type"))).selectByValue("alloc_bytes");
        // while the new type's query is on its way, the panel is busy and says what it is loading
        waiting().withMessage("busy while loading").until(d -> busy().startsWith("true|Loading alloc_bytes"));
        assertThat(js("return window.continuo.explore.flame.a.total[0]")).as("the old data is still drawn, under the busy mark").isEqualTo(100L);
        assertThat(driver.findElement(By.id("chart-total")).findElement(By.cssSelector(".chart")).getAttribute("aria-busy")).isEqualTo("true");
        waitForFlameTotal(4096);
        assertThat(busy()).startsWith("null|");
        assertThat(driver.findElement(By.id("flame-summary")).getText()).startsWith("alloc_bytes");
    }

    @Test
    void aStoppedServerShowsAnErrorWithARetryThatWorksOnceItIsBack() {
        open("/explore?service=app&type=cpu");
        waitForFlameTotal(100);
        server.close();
        server = null;
        new Select(driver.findElement(By.id("type"))).selectByValue("alloc_bytes");
        waiting().withMessage("an unreachable server is said").until(d -> d.findElement(By.id("banner")).getText().contains("unreachable")
                || d.findElement(By.id("flame-state")).getText().contains("unreachable"));
        String said = driver.findElement(By.id("banner")).getText() + driver.findElement(By.id("flame-state")).getText();
        // auto-refresh is off: no promise of a refresh that will not come
        assertThat(said).doesNotContain("next refresh");
        assertThat(driver.findElement(By.id("flame-summary")).getText()).as("no stale summary").doesNotStartWith("cpu");
        assertThat(driver.findElements(By.cssSelector("#banner button.retry, #flame-state button.retry"))).isNotEmpty();

        server = ContinuoServer.start(config);
        driver.findElements(By.cssSelector("#banner button.retry, #flame-state button.retry")).get(0).click();
        waitForFlameTotal(4096);
        waiting().withMessage("the error clears once the server is back").until(d -> !d.findElement(By.id("banner")).isDisplayed()
                && !d.findElement(By.id("flame-state")).isDisplayed());
    }

    @Test
    void withAutoRefreshOnTheErrorPromisesTheNextRefreshAndClearsByItself() {
        open("/explore?service=app&type=cpu&from=now-15m&refresh=10s");
        waitForFlameTotal(100);
        server.close();
        server = null;
        waiting().withMessage("the next refresh finds the server gone").until(d ->
                d.findElement(By.id("banner")).getText().contains("Retrying with the next refresh"));
        server = ContinuoServer.start(config);
        waiting().withMessage("the following refresh clears the error").until(d -> !d.findElement(By.id("banner")).isDisplayed());
        waitForFlameTotal(100);
    }
}
