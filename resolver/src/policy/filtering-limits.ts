// What DNS filtering cannot stop and what a network admin does about it, in both languages.
// Plain data with no imports: the API serves it with the services catalog (GET /api/services)
// and the console imports it for its help text; the README says the same.

export interface FilteringLimitsText {
  title: string;
  cannotStop: string[];
  whatToDo: string[];
}

export const FILTERING_LIMITS: Record<'en' | 'vi', FilteringLimitsText> = {
  en: {
    title: 'What DNS filtering cannot stop',
    cannotStop: [
      'An app or site reached by a hard-coded IP address never asks DNS, so no block applies (Telegram and some games fall back to built-in addresses).',
      'Encrypted DNS sent straight to a resolver\'s IP address (DNS over HTTPS to 1.1.1.1 or 8.8.8.8, DNS over TLS on port 853, DNS over QUIC) bypasses this resolver; blocking the resolvers\' names only stops clients that look them up first.',
      'A VPN or proxy that is already connected keeps working until it reconnects; names in the "bypass" category stop new connections to the known services.',
      'A device set to use another DNS server, or with mobile data, is not on the filtered network at all.',
    ],
    whatToDo: [
      'At the router or firewall, let devices use only this resolver: redirect or drop outbound DNS (port 53, UDP and TCP) to any other server.',
      'Block outbound TCP and UDP port 853 (DNS over TLS and DNS over QUIC) from the devices\' networks.',
      'Block the addresses of well-known public DoH resolvers on port 443 (for example 1.1.1.1, 1.0.0.1, 8.8.8.8, 8.8.4.4, 9.9.9.9, 149.112.112.112, 94.140.14.14 and their IPv6 addresses).',
      'Keep the "bypass" category on: it answers Firefox\'s canary (use-application-dns.net) and iCloud Private Relay (mask.icloud.com, mask-h2.icloud.com) with NXDOMAIN, which turns those features off, and blocks VPN and proxy apps\' hosts.',
      'On managed devices, set the DNS server and turn off private DNS or secure DNS in the browser and the operating system.',
    ],
  },
  vi: {
    title: 'Những gì lọc DNS không ngăn được',
    cannotStop: [
      'Ứng dụng hoặc trang web kết nối thẳng tới một địa chỉ IP cố định không hỏi DNS, nên không bị chặn (Telegram và một số trò chơi có sẵn địa chỉ dự phòng).',
      'DNS mã hoá gửi thẳng tới địa chỉ IP của một máy chủ phân giải (DNS qua HTTPS tới 1.1.1.1 hay 8.8.8.8, DNS qua TLS ở cổng 853, DNS qua QUIC) đi vòng qua máy chủ này; chặn tên của các máy chủ đó chỉ có tác dụng với thiết bị tra tên trước khi kết nối.',
      'VPN hoặc proxy đã kết nối sẵn vẫn chạy cho tới khi kết nối lại; danh mục "bypass" chặn các kết nối mới tới những dịch vụ đã biết.',
      'Thiết bị được đặt dùng máy chủ DNS khác, hoặc dùng dữ liệu di động, thì không đi qua mạng được lọc.',
    ],
    whatToDo: [
      'Trên bộ định tuyến hoặc tường lửa, chỉ cho thiết bị dùng máy chủ phân giải này: chuyển hướng hoặc chặn mọi truy vấn DNS đi ra (cổng 53, UDP và TCP) tới máy chủ khác.',
      'Chặn cổng 853 TCP và UDP đi ra (DNS qua TLS và DNS qua QUIC) từ mạng của các thiết bị.',
      'Chặn các địa chỉ của những máy chủ DoH công cộng phổ biến ở cổng 443 (ví dụ 1.1.1.1, 1.0.0.1, 8.8.8.8, 8.8.4.4, 9.9.9.9, 149.112.112.112, 94.140.14.14 và địa chỉ IPv6 của chúng).',
      'Luôn bật danh mục "bypass": nó trả lời NXDOMAIN cho tên kiểm tra của Firefox (use-application-dns.net) và của iCloud Private Relay (mask.icloud.com, mask-h2.icloud.com) để tắt các tính năng đó, và chặn máy chủ của các ứng dụng VPN, proxy.',
      'Trên thiết bị được quản lý, đặt sẵn máy chủ DNS và tắt "DNS riêng tư" hoặc "DNS bảo mật" trong trình duyệt và hệ điều hành.',
    ],
  },
};
