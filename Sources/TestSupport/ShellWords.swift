/// Splits a command line the way a POSIX shell splits words: blanks
/// separate, single quotes keep everything, a backslash outside them keeps
/// the next character, double quotes keep all but `\` before `"`, `\`, `$`.
/// Enough for command lines as libvirt and the driver print them.
public enum ShellWords {
    public static func split(_ line: String) -> [String] {
        var words: [String] = []
        var word = "", inWord = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                while let q = chars.popFirst(), q != "'" { word.append(q) }
            case "\"":
                inWord = true
                while let q = chars.popFirst(), q != "\"" {
                    if q == "\\", let n = chars.first, "\"\\$".contains(n) { word.append(chars.removeFirst()) } else { word.append(q) }
                }
            case "\\":
                inWord = true
                if let n = chars.popFirst() { word.append(n) }
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
