import Testing
import domain_conf

@Suite struct XMLTextTests {
    @Test func indentsTwoSpacesPerLevelAndEscapes() {
        var out = XMLText()
        out.open("a x='1'")
        out.element("b", "<&'\">")
        out.open("c")
        out.line("<d/>")
        out.close("c")
        out.blank()
        out.close("a")
        #expect(out.text == "<a x='1'>\n  <b>&lt;&amp;&apos;&quot;&gt;</b>\n  <c>\n    <d/>\n  </c>\n\n</a>\n")
    }
}
